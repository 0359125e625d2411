// Everything one run of the benchmark finds, row by row. The terminal
// table, report.md, the charts and the goals are all written from this.
#pragma once

#include "costs.hpp"
#include "targets.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

struct scenario {
    std::string_view name;   // in the benchmark's name: "scenario/03-raii-cpp/32-clients"
    std::string_view title;  // in tables and the chart
    int clients = 1;
    int stalled = 0;         // connections that connect and never send
};

inline constexpr std::array<scenario, 3> scenarios = {{
    {"one-client", "one client", 1, 0},
    {"32-clients", "32 clients", 32, 0},
    {"32-clients-16-stalled", "32 clients + 16 stalled", 32, 16},
}};
constexpr std::size_t one_client = 0, many_clients = 1, with_stalled = 2;

// How cost grows: concurrent clients, and silent connections held open.
inline constexpr std::array<int, 5> client_counts = {1, 4, 16, 64, 256};
inline constexpr std::array<int, 3> held_counts = {0, 1000, 10000};
constexpr int held_load_clients = 32;  // throughput while they are held

// The rows that serve clients concurrently, and so take the idle sweep:
// a later stage joins with one line here.
inline constexpr std::array<std::string_view, 4> concurrent_servers = {
    "04-threaded",
    "05-event-loop",
    "06-coroutines",
    "nginx",
};

inline bool serves_concurrently(std::string_view name) {
    return std::find(concurrent_servers.begin(), concurrent_servers.end(), name) !=
           concurrent_servers.end();
}

// How many windows of what length each kind of measurement gets.
struct windows {
    int count = 5;
    std::chrono::milliseconds length{1000};
};

struct settings {
    bool quick = false;
    windows scenario{5, std::chrono::milliseconds(1200)};
    windows clients{3, std::chrono::milliseconds(400)};
    windows idle{3, std::chrono::milliseconds(400)};
    std::chrono::seconds wrk_window{2};
    int client_check_rounds = 3;             // wrk and our client, alternately
    int cost_requests = 200;                 // requests under strace and callgrind
    std::filesystem::path out_dir;           // build/bench
    std::string descriptor_limit;            // what setrlimit did, said in the report
    bool own_network = false;                // in a network namespace of its own (kernel.hpp)
};

// One counter across a measurement's windows, as Google Benchmark
// aggregated it (see collector.hpp).
struct spread {
    double median = 0, min = 0, max = 0, sum = 0, cv = 0;
};

// One row in one scenario or at one sweep point, over several windows.
struct measurement {
    int windows = 0;      // windows measured (0: not measured)
    std::string problem;  // why it was not measured (did not start, wrong answer)
    std::map<std::string, spread, std::less<>> counters;

    bool measured() const { return windows > 0; }
    // For a table's notes: why there is no figure.
    std::string why_not_measured() const {
        return problem.empty() ? "left out by --benchmark_filter" : "not measured: " + problem;
    }
    spread operator[](std::string_view counter) const {
        auto it = counters.find(counter);
        return it == counters.end() ? spread{} : it->second;
    }
    double median(std::string_view counter) const { return (*this)[counter].median; }
    // Nothing completed in any window.
    bool stalled() const { return measured() && (*this)["completed"].max == 0; }
};

struct row {
    target server;
    bool selected = false;  // run in this invocation (see --benchmark_filter)
    std::array<measurement, scenarios.size()> by_scenario;
    std::array<measurement, client_counts.size()> by_clients;
    std::array<measurement, held_counts.size()> by_held;  // concurrent rows only
    std::vector<std::string> header_differences;  // nginx against the golden head
    std::optional<stage_costs> costs;             // native stages only

    bool concurrent() const { return serves_concurrently(server.name); }
    bool in_client_sweep() const { return server.what != target::kind::emulated; }
};

// Is the in-process client what limits the figures? wrk against stage 01.
struct client_check {
    std::optional<double> wrk, ours;  // best requests per second of each
    std::string problem;
};

struct results {
    settings config;
    std::vector<row> rows;
    client_check client;

    const row* find(std::string_view name) const {
        for (const auto& r : rows)
            if (r.server.name == name) return &r;
        return nullptr;
    }
    // Row `name` in scenario s, or holding held_counts[i]: if measured.
    const measurement* scenario(std::string_view name, std::size_t s) const {
        const row* r = find(name);
        return r && r->by_scenario[s].measured() ? &r->by_scenario[s] : nullptr;
    }
    const measurement* holding(std::string_view name, std::size_t i) const {
        const row* r = find(name);
        return r && r->by_held[i].measured() ? &r->by_held[i] : nullptr;
    }
};

}  // namespace bench
