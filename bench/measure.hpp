// Measuring: what happens in one window of one benchmark. Every window
// starts a fresh server, checks its answer, measures, and hands its figures
// to Google Benchmark as counters; collector.hpp gathers them across windows.
#pragma once

#include "progress.hpp"
#include "results.hpp"

#include <benchmark/benchmark.h>

namespace bench {

// Scenario s: clients and stalled connections as results.hpp lists them.
void measure_scenario(benchmark::State& state, row& r, std::size_t s, const settings& config,
                      progress& status);

// client_counts[i] concurrent clients.
void measure_clients(benchmark::State& state, row& r, std::size_t i, const settings& config,
                     progress& status);

// held_counts[i] silent connections held open: the server's memory for
// them, how long a fresh client waits, and throughput while they are held.
void measure_held(benchmark::State& state, row& r, std::size_t i, const settings& config,
                  progress& status);

}  // namespace bench
