// The measuring side of the benchmark: the rows (rows.cpp), the client
// (load.cpp), one window (window.cpp) and the counted costs (costs.cpp), which
// main.cpp hands to Google Benchmark.
#pragma once

#include "support/client.hpp"
#include "support/process.hpp"

#include <benchmark/benchmark.h>
#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

using namespace std::chrono_literals;

// --- what is measured, and how long ---
struct scenario {
    std::string_view name, title;  // "scenario/<row>/32-clients"; the report's heading
    int clients = 1, stalled = 0, depth = 0;  // stalled: connect, never send; depth: wrk's requests a write (0: ours)
};
inline constexpr std::array<scenario, 5> scenarios = {{
    {"one-client", "one client", 1, 0},
    {"32-clients", "32 clients", 32, 0},
    {"32-clients-16-stalled", "32 clients + 16 stalled", 32, 16},
    {"keep-alive", "32 connections kept alive (wrk)", 32, 0, 1},
    {"pipelined", "32 connections kept alive, 16 requests pipelined (wrk)", 32, 0, 16},
}};
inline constexpr std::array<int, 5> client_counts = {1, 4, 16, 64, 256};
inline constexpr std::array<int, 3> held_counts = {0, 1000, 10000};
constexpr int held_load_clients = 32;  // throughput while they are held

struct windows { int count; std::chrono::milliseconds length; };
struct settings {
    bool quick = false;
    // A scenario's window outlasts the client's SYN resend, one second after
    // a full accept queue dropped the first: the wait shows in *max ms*.
    windows scenario{5, 1100ms}, kept{5, 400ms}, clients{3, 400ms}, idle{3, 400ms};  // kept: wrk's scenarios
    windows client_check{3, 1s};  // wrk and our client, in turns
    int cost_requests = 200;      // requests under strace and callgrind
    std::chrono::milliseconds cost_window = 500ms;  // wrk's load under strace
    std::filesystem::path out_dir = BENCH_OUT_DIR;
};

// --- the rows (rows.cpp) ---
struct row {
    enum class kind { built, emulated, added, reference };
    std::string name, label;           // as the build's list names it, and its short form
    std::vector<std::string> command;  // "{port}" marks the port; else --port N is appended
    kind what = kind::built;
    // By the check before any window: why not measurable, its answer, and
    // whether it serves a client while another stays silent.
    std::string problem, answer;
    bool concurrent = false, keeps = false;  // keeps: answers two requests on one connection
};

// The build's rows (its servers.txt), then each --with NAME=COMMAND
// (std::invalid_argument when malformed), then nginx and h2o.
std::vector<row> read_rows(const std::vector<std::string>& added);
// Starts the row once: its answer, and whether it serves concurrently.
void check_row(row& r);

// Starts a row's server on a free port, behind `wrapper` (strace, valgrind),
// and waits until it accepts. Throws std::runtime_error.
std::unique_ptr<workshop::server_process> start(const row& r, const std::vector<std::string>& wrapper = {});

// A window's fresh server that answered GET / rightly, or nullptr after
// SkipWithError saying why not; on a terminal, a status line names the window.
std::unique_ptr<workshop::server_process> start_window(benchmark::State& state, row& r, const std::string& what);

// --- the client (load.cpp): workshop::simple_get, a connection each ---

struct load_result {
    std::uint64_t completed = 0;    // full responses of the expected size
    std::uint64_t failed = 0;       // refused, cut short or the wrong size
    std::uint64_t unavailable = 0;  // of those: answered "503 Service Unavailable"
    std::uint64_t unfinished = 0;   // still waiting when the window closed
    std::uint64_t retried = 0;      // connections a full accept queue dropped a packet of
    std::vector<float> latencies_us;  // connect to last byte, sorted (this client's)
    double p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0;  // latency; 0 when nothing completed
    double seconds = 0;             // wrk's own time; 0: the window's real time
    benchmark::Counter rate() const {  // requests per second, over wrk's time or the window's real time
        return {seconds ? completed / seconds : completed, seconds ? benchmark::Counter::kDefaults : benchmark::Counter::kIsRate}; }
};

// `clients` clients load 127.0.0.1:port for `window`, expecting `response_size` bytes.
load_result run_load(int port, int clients, std::chrono::milliseconds window, std::size_t response_size);
// wrk (bench/pipeline.lua) with `clients` kept connections, `depth` requests a
// write, or one request a connection with `close`. Throws std::runtime_error.
load_result run_wrk(int port, int clients, int depth, std::chrono::milliseconds window, bool close = false);

// Connections that connect and send nothing, held open while this lives: the
// clients a one-at-a-time server waits on, the idle ones an event loop holds.
class stalled_clients {
public:
    stalled_clients(int port, int count, std::chrono::milliseconds limit = 2s);
    // Resets them all when it goes: thousands of TIME_WAITs would use up ports.
    ~stalled_clients() { for (auto& fd : fds_) workshop::reset_connection(std::move(fd)); }
    int opened() const { return static_cast<int>(fds_.size()); }
    int held() const;  // those the server has not closed or answered yet
    void answer_once();  // each sends a kept request, then each reads its answer

private:
    std::vector<workshop::socket_fd> fds_;
};

// --- windows (window.cpp), counted costs and the client check (costs.cpp) ---
bool enter_own_network_namespace();
void measure_scenario(benchmark::State& state, row& r, const scenario& s, const settings& config);
void measure_clients(benchmark::State& state, row& r, int clients, const settings& config);
void measure_held(benchmark::State& state, row& r, int held, const settings& config);
void measure_costs(benchmark::State& state, const row& r, const settings& config);
void check_client(benchmark::State& state, row& r, bool wrk, const settings& config);

}  // namespace bench
