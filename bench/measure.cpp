#include "measure.hpp"

#include "kernel.hpp"
#include "load.hpp"

#include <algorithm>
#include <thread>

namespace bench {
namespace {

// A server's error output can span lines; a table cell cannot.
std::string one_line(std::string_view text) {
    std::string line;
    for (char c : text) {
        bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
        if (!space) line += c == '|' ? '/' : c;
        else if (!line.empty() && line.back() != ' ') line += ' ';
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line;
}

// A fresh server that answered GET / rightly, or nullptr after
// SkipWithError saying why not.
struct checked_server {
    std::unique_ptr<workshop::server_process> process;
    std::size_t response_size = 0;
};

checked_server start_checked(benchmark::State& state, row& r, const settings& config) {
    r.selected = true;
    checked_server s;
    try {
        s.process = start(r.server, config.out_dir);
    } catch (const std::exception& e) {
        state.SkipWithError(one_line(std::string("did not start: ") + e.what()).c_str());
        return {};
    }
    answer_check check = check_answer(r.server, s.process->port());
    r.header_differences = check.header_differences;
    if (!check.problem.empty()) {
        state.SkipWithError(one_line(check.problem).c_str());
        return {};
    }
    s.response_size = check.response_size;
    return s;
}

double difference(const std::optional<std::uint64_t>& after,
                  const std::optional<std::uint64_t>& before) {
    return after && before ? static_cast<double>(*after - *before) : -1;  // -1: not available
}

// One window of load, its figures as counters (results.json has them all).
load_result load_window(benchmark::State& state, int port, int clients,
                        std::chrono::milliseconds length, std::size_t response_size) {
    load_plan plan{port, clients, length, response_size};
    auto overflows_before = listen_overflows();
    auto segments_before = tcp_segments_sent();
    load_result load;
    for (auto _ : state) load = run_load(plan);
    auto overflows_after = listen_overflows();
    auto segments_after = tcp_segments_sent();
    double segments = difference(segments_after, segments_before);
    state.counters["requests_per_second"] = load.requests_per_second();
    state.counters["p50_us"] = load.percentile_us(50);
    state.counters["p99_us"] = load.percentile_us(99);
    state.counters["p999_us"] = load.percentile_us(99.9);
    state.counters["max_us"] = load.percentile_us(100);
    state.counters["completed"] = static_cast<double>(load.completed);
    state.counters["failed"] = static_cast<double>(load.failed);
    state.counters["unavailable"] = static_cast<double>(load.unavailable);
    state.counters["unfinished"] = static_cast<double>(load.unfinished);
    state.counters["retried"] = static_cast<double>(load.retried);
    state.counters["syn_drops"] = static_cast<double>(load.dropped.syn);
    state.counters["handshake_end_drops"] = static_cast<double>(load.dropped.handshake_end);
    state.counters["listen_overflows"] = difference(overflows_after, overflows_before);
    state.counters["tcp_segments"] = segments;
    state.counters["segments_per_request"] =
        segments >= 0 && load.completed > 0 ? segments / static_cast<double>(load.completed) : -1;
    if (load.completed == 0) state.SetLabel("stalled");
    return load;
}

}  // namespace

void measure_scenario(benchmark::State& state, row& r, std::size_t s, const settings& config,
                      progress& status) {
    status.window(r.server.name + " / " + std::string(scenarios[s].title));
    checked_server server = start_checked(state, r, config);
    if (!server.process) return;
    stalled_clients stalled(server.process->port(), scenarios[s].stalled);
    load_window(state, server.process->port(), scenarios[s].clients, config.scenario.length,
                server.response_size);
    state.counters["stalled_held"] = stalled.opened();
}

void measure_clients(benchmark::State& state, row& r, std::size_t i, const settings& config,
                     progress& status) {
    status.window(r.server.name + " / " + std::to_string(client_counts[i]) + " clients");
    checked_server server = start_checked(state, r, config);
    if (!server.process) return;
    load_window(state, server.process->port(), client_counts[i], config.clients.length,
                server.response_size);
}

void measure_held(benchmark::State& state, row& r, std::size_t i, const settings& config,
                  progress& status) {
    int count = held_counts[i];
    status.window(r.server.name + " / " + std::to_string(count) + " idle connections held");
    checked_server server = start_checked(state, r, config);
    if (!server.process) return;
    int port = server.process->port();
    pid_t pid = server.process->pid();

    auto before = resident_bytes(pid);
    stalled_clients idle(port, count, std::chrono::seconds(5));
    // Let the server accept them all (and a threaded one start its threads).
    std::this_thread::sleep_for(std::chrono::milliseconds(count > 0 ? 300 : 0));
    auto after = resident_bytes(pid);
    int held = idle.held();

    // How long a fresh client waits, alone; then throughput with many.
    load_plan fresh{port, 1, std::max(config.idle.length / 2, std::chrono::milliseconds(200)),
                    server.response_size};
    load_result alone = run_load(fresh);
    load_window(state, port, held_load_clients, config.idle.length, server.response_size);

    state.counters["opened"] = idle.opened();
    state.counters["held"] = held;
    state.counters["fresh_p50_us"] = alone.percentile_us(50);
    state.counters["fresh_completed"] = static_cast<double>(alone.completed);
    state.counters["fresh_unavailable"] = static_cast<double>(alone.unavailable);
    if (before && after) {
        state.counters["rss_bytes"] = static_cast<double>(*after);
        if (held > 0)
            state.counters["rss_per_held"] =
                (static_cast<double>(*after) - static_cast<double>(*before)) / held;
    }
}

}  // namespace bench
