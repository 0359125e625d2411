// Measuring: one window of one benchmark. Every window starts a fresh server,
// checks its answer, loads it, and hands its figures to Google Benchmark as
// counters: results.json keeps every window's, the console their aggregates.
#include "bench.hpp"

#include <cstdio>
#include <thread>
#include <unistd.h>

namespace bench {
namespace {

// A fresh server that answered GET / rightly, or nullptr after SkipWithError
// saying why not. On a terminal, a status line says which window runs.
std::unique_ptr<workshop::server_process> start_window(benchmark::State& state, row& r, const settings& config,
                                                       const std::string& what) {
    if (::isatty(STDERR_FILENO)) std::fprintf(stderr, "\r\033[K  measuring %s / %s", r.name.c_str(), what.c_str());
    r.ran = true;
    std::string problem;
    auto server = start_checked(r, config.out_dir, problem);
    if (!server) state.SkipWithError(problem.c_str());
    return server;
}

double difference(std::optional<double> after, std::optional<double> before) {
    return after && before ? *after - *before : -1;  // -1: not available here
}

// One window of load, its figures as counters.
void load_window(benchmark::State& state, const row& r, const workshop::server_process& server, int clients,
                 std::chrono::milliseconds length) {
    load_plan plan{server.port(), clients, length, r.response_size};
    // /proc/<pid>/stat's CPU times cover every thread, those that have exited included.
    auto cpu = over_tree(server.pid(), workshop::cpu_seconds);
    auto overflows = kernel_counter("TcpExt", "ListenOverflows"), segments = kernel_counter("Tcp", "OutSegs");
    load_result load;
    for (auto _ : state) load = run_load(plan);
    double cpu_used = difference(over_tree(server.pid(), workshop::cpu_seconds), cpu);
    double sent = difference(kernel_counter("Tcp", "OutSegs"), segments);
    double answered = static_cast<double>(load.completed);
    auto& c = state.counters;
    c["req_per_s"] = load.requests_per_second();
    c["p50_us"] = load.percentile_us(50);
    c["p99_us"] = load.percentile_us(99);
    c["p999_us"] = load.percentile_us(99.9);
    c["max_us"] = load.percentile_us(100);
    c["cpu_us_per_req"] = cpu_used >= 0 && answered > 0 ? cpu_used * 1e6 / answered : -1;
    c["segs_per_req"] = sent >= 0 && answered > 0 ? sent / answered : -1;
    c["answered"] = answered;
    c["failed"] = static_cast<double>(load.failed);
    c["got_503"] = static_cast<double>(load.unavailable);
    c["unfinished"] = static_cast<double>(load.unfinished);
    c["retried"] = static_cast<double>(load.retried);
    c["syn_drops"] = static_cast<double>(load.dropped.syn);
    c["ack_drops"] = static_cast<double>(load.dropped.handshake_end);
    c["overflows"] = difference(kernel_counter("TcpExt", "ListenOverflows"), overflows);
    if (::isatty(STDERR_FILENO)) std::fputs("\r\033[K", stderr);
}

}  // namespace

void measure_scenario(benchmark::State& state, row& r, const scenario& s, const settings& config) {
    auto server = start_window(state, r, config, std::string(s.title));
    if (!server) return;
    stalled_clients stalled(server->port(), s.stalled);
    load_window(state, r, *server, s.clients, config.scenario.length);
    state.counters["stalled"] = stalled.opened();
}

void measure_clients(benchmark::State& state, row& r, int clients, const settings& config) {
    auto server = start_window(state, r, config, std::to_string(clients) + " clients");
    if (server) load_window(state, r, *server, clients, config.clients.length);
}

// `count` silent connections held open: the server's memory for them, how
// long a fresh client waits, and throughput while they are held.
void measure_held(benchmark::State& state, row& r, int count, const settings& config) {
    auto server = start_window(state, r, config, std::to_string(count) + " idle connections held");
    if (!server) return;
    auto before = over_tree(server->pid(), resident_bytes);
    stalled_clients idle(server->port(), count, 5s);
    // Let the server accept them all (and a threaded one start its threads).
    std::this_thread::sleep_for(count > 0 ? 300ms : 0ms);
    auto after = over_tree(server->pid(), resident_bytes);
    int held = idle.held();
    load_result fresh = run_load({server->port(), 1, config.idle.length / 2, r.response_size});
    load_window(state, r, *server, held_load_clients, config.idle.length);
    auto& c = state.counters;
    c["silent_opened"] = idle.opened();
    c["silent_held"] = held;
    c["fresh_p50_us"] = fresh.percentile_us(50);
    c["fresh_answered"] = static_cast<double>(fresh.completed);
    c["fresh_503"] = static_cast<double>(fresh.unavailable);
    c["rss_bytes"] = after.value_or(-1);
    c["rss_per_held"] = before && after && held > 0 ? (*after - *before) / held : -1;
}

}  // namespace bench
