// What one request costs a stage, counted rather than timed, so the figures
// are the same on every run: system calls (strace -c) and user-space
// instructions (valgrind's callgrind). Each tool runs the server twice, once
// for no request and once for N, and the cost is the difference over N, so
// start-up and shutdown cancel out. Plus the stripped binary's size and the
// stage's lines of source.
#pragma once

#include "targets.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace bench {

struct stage_costs {
    std::optional<double> syscalls_per_request;
    std::optional<double> instructions_per_request;
    std::optional<std::uintmax_t> stripped_bytes;
    std::optional<int> source_lines;
    std::string note;  // why a figure is missing
};

// Makes `requests` requests, one after another, under each tool.
stage_costs measure_costs(const target& stage, int requests, const std::filesystem::path& work_dir);

// Non-blank lines of the C, C++ and assembly files in a stage's source
// directory (comments count; CMakeLists.txt does not).
std::optional<int> source_lines(const std::filesystem::path& stage_dir);

// wrk's requests per second against a server: `clients` connections on as
// many threads as there are cores, each request with "Connection: close".
// nullopt when wrk is not installed or fails.
std::optional<double> wrk_requests_per_second(int port, int clients, std::chrono::seconds duration);

}  // namespace bench
