// Everything one run of the benchmark finds, row by row. The terminal
// table, report.md, the chart and the goals are all written from this.
#pragma once

#include "costs.hpp"
#include "targets.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

struct scenario {
    std::string_view name;   // in the benchmark's name: "03-raii-cpp/32-clients"
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

struct settings {
    bool quick = false;
    std::chrono::milliseconds window{3000};  // measuring time per row and scenario
    std::chrono::seconds wrk_window{3};
    int client_check_rounds = 2;             // wrk and our client, alternately
    int cost_requests = 200;                 // requests under strace and callgrind
    std::filesystem::path out_dir;           // build/bench
};

struct measurement {
    bool measured = false;
    std::string problem;  // why it was not measured (did not start, wrong answer)
    double requests_per_second = 0, p50_us = 0, p99_us = 0;
    std::uint64_t completed = 0, failed = 0, unfinished = 0;
    int stalled_held = 0;

    bool stalled() const { return measured && completed == 0; }
};

struct row {
    target server;
    bool selected = false;  // run in this invocation (see --benchmark_filter)
    std::array<measurement, scenarios.size()> by_scenario;
    std::vector<std::string> header_differences;  // nginx against the golden head
    std::optional<stage_costs> costs;             // native stages only
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
};

}  // namespace bench
