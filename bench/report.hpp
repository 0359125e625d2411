// The results as people read them: one table per scenario on the terminal;
// report.md with those tables, the sweeps, the client check, the cost per
// request and the goals (each section from sections.hpp); and the charts.
#pragma once

#include "results.hpp"

#include <filesystem>
#include <optional>
#include <ostream>

namespace bench {

void print_tables(std::ostream& out, const results& r);

// The PNGs gnuplot drew; each is missing when gnuplot is missing or fails.
struct charts {
    std::optional<std::filesystem::path> throughput;  // chart.gp: per scenario
    std::optional<std::filesystem::path> clients;     // clients.gp: the client sweep
    std::optional<std::filesystem::path> idle;        // idle.gp: the idle sweep
};

void write_report(const std::filesystem::path& file, const results& r, const charts& drawn);

// The charts, in r.config.out_dir (chart.cpp).
charts draw_charts(const results& r);

}  // namespace bench
