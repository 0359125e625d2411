// http_bench: every server in bin/, and nginx for reference, under
// connection-per-request load over loopback, in three scenarios (one client,
// 32 clients, 32 clients while 16 stalled connections are held open), then
// against 1 to 256 clients, and with up to 10,000 idle connections held
// (the rows that serve concurrently); each in several windows run in a
// random order. Then wrk against stage 01 to check the client, and what one
// request costs each native stage. Writes results.json (Google Benchmark),
// report.md and three charts, and prints one table per scenario.
//
//   ./workshop bench [--quick]    (or: build/bench/http_bench --quick)
#include "collector.hpp"
#include "kernel.hpp"
#include "load.hpp"
#include "measure.hpp"
#include "progress.hpp"
#include "report.hpp"
#include "results.hpp"

#include <algorithm>
#include <benchmark/benchmark.h>
#include <cstdio>
#include <iostream>
#include <string_view>

namespace {

using namespace bench;

constexpr const char* usage =
    "usage: http_bench [--quick] [--out-dir DIR] [--benchmark_... flags]\n"
    "  --quick         fewer, shorter windows: under a minute instead of 4 to 5\n"
    "  --out-dir DIR   where results.json, report.md and the charts go\n"
    "                  (default: " BENCH_OUT_DIR ")\n"
    "Google Benchmark's own flags work too, e.g. --benchmark_filter=nginx.";

int bad_argument(const char* what, const char* arg) {
    std::fprintf(stderr, "http_bench: %s: %s\n%s\n", what, arg, usage);
    return 2;
}

// One Google Benchmark per row and measurement, repeated over `w.count`
// windows; `fill` measures one window into `m`.
template <class Measure>
void add(collector& c, const std::string& name, measurement& m, const windows& w, Measure fill) {
    auto* b = benchmark::RegisterBenchmark(name.c_str(), fill);
    b->Iterations(1)          // one window per repetition
        ->Repetitions(w.count)
        ->DisplayAggregatesOnly()  // the collector files the aggregates; results.json has all
        ->UseRealTime()       // the work happens in the server process
        ->Unit(benchmark::kMillisecond);
    add_statistics(b);
    c.expect(name, m);
}

// Every measurement of every row. Google Benchmark runs their windows in a
// random order (--benchmark_enable_random_interleaving), so a slow moment
// of the machine falls on every row alike.
int register_benchmarks(results& all, collector& c, progress& status) {
    const settings& config = all.config;
    int windows = 0;
    for (row& r : all.rows) {
        for (std::size_t s = 0; s < scenarios.size(); ++s) {
            add(c, "scenario/" + r.server.name + "/" + std::string(scenarios[s].name),
                r.by_scenario[s], config.scenario, [&r, s, &config, &status](benchmark::State& st) {
                    measure_scenario(st, r, s, config, status);
                });
            windows += config.scenario.count;
        }
        for (std::size_t i = 0; r.in_client_sweep() && i < client_counts.size(); ++i) {
            add(c, "clients/" + r.server.name + "/" + std::to_string(client_counts[i]),
                r.by_clients[i], config.clients, [&r, i, &config, &status](benchmark::State& st) {
                    measure_clients(st, r, i, config, status);
                });
            windows += config.clients.count;
        }
        for (std::size_t i = 0; r.concurrent() && i < held_counts.size(); ++i) {
            add(c, "idle/" + r.server.name + "/" + std::to_string(held_counts[i]), r.by_held[i],
                config.idle, [&r, i, &config, &status](benchmark::State& st) {
                    measure_held(st, r, i, config, status);
                });
            windows += config.idle.count;
        }
    }
    return windows;
}

// wrk and our client take turns against one stage-01 server, with the
// concurrency of scenario 2; the best figure of each.
client_check check_client(const row& stage01, const settings& config, progress& status) {
    client_check c;
    status.step("client check: wrk and this client against " + stage01.server.name);
    try {
        auto server = start(stage01.server, config.out_dir);
        answer_check check = check_answer(stage01.server, server->port());
        if (!check.problem.empty()) throw std::runtime_error(check.problem);
        int clients = scenarios[many_clients].clients;
        load_plan plan{server->port(), clients, config.wrk_window, check.response_size};
        for (int round = 0; round < config.client_check_rounds; ++round) {
            c.ours = std::max(c.ours.value_or(0), run_load(plan).requests_per_second());
            auto wrk = wrk_requests_per_second(server->port(), clients, config.wrk_window);
            if (!wrk) throw std::runtime_error("wrk is not installed or failed");
            c.wrk = std::max(c.wrk.value_or(0), *wrk);
        }
    } catch (const std::exception& e) {
        c.problem = e.what();
        c.wrk.reset();
    }
    return c;
}

void measure_stage_costs(results& all, progress& status) {
    for (row& r : all.rows) {
        bool started = std::any_of(r.by_scenario.begin(), r.by_scenario.end(),
                                   [](const measurement& m) { return m.measured(); });
        if (r.server.what != target::kind::stage || !started) continue;
        status.step(r.server.name + " / cost per request (strace, callgrind)");
        r.costs = measure_costs(r.server, all.config.cost_requests, all.config.out_dir);
    }
}

}  // namespace

int main(int argc, char* argv[]) {
    results all;
    all.config.out_dir = BENCH_OUT_DIR;
    // Our own flags; Google Benchmark's pass through, results.json by default.
    std::vector<std::string> benchmark_args = {argv[0]};
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--help") {
            std::puts(usage);
            return 0;
        } else if (arg == "--quick") {
            all.config.quick = true;
            all.config.scenario = {3, std::chrono::milliseconds(250)};
            all.config.clients = {1, std::chrono::milliseconds(200)};
            all.config.idle = {1, std::chrono::milliseconds(250)};
            all.config.wrk_window = std::chrono::seconds(1);
            all.config.client_check_rounds = 1;
            all.config.cost_requests = 100;
        } else if (arg == "--out-dir") {
            if (i + 1 == argc) return bad_argument("missing value after", argv[i]);
            all.config.out_dir = argv[++i];
        } else if (arg.starts_with("--benchmark_")) {
            benchmark_args.emplace_back(arg);
        } else {
            return bad_argument("unknown argument", argv[i]);
        }
    }
    std::filesystem::create_directories(all.config.out_dir);
    // Ours come first, so that the same flags given on the command line win.
    benchmark_args.insert(benchmark_args.begin() + 1,
                          {"--benchmark_out=" + (all.config.out_dir / "results.json").string(),
                           "--benchmark_enable_random_interleaving=true"});

    std::vector<char*> benchmark_argv;
    for (auto& a : benchmark_args) benchmark_argv.push_back(a.data());
    int benchmark_argc = static_cast<int>(benchmark_argv.size());
    benchmark::Initialize(&benchmark_argc, benchmark_argv.data());
    if (benchmark::ReportUnrecognizedArguments(benchmark_argc, benchmark_argv.data())) return 2;

    // Before any thread starts: the namespace is per thread, and every
    // thread and child made later inherits it.
    try {
        all.config.own_network = enter_own_network_namespace();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "http_bench: %s\n", e.what());
        return 1;
    }
    // The idle sweep holds 10,000 connections, and the servers we start
    // inherit the limit.
    all.config.descriptor_limit = raise_descriptor_limit(held_counts.back() + 2000);
    for (auto& t : all_targets()) all.rows.push_back({.server = t});
    {
        progress status;
        // Google Benchmark's console table would fight the progress line; it
        // reports to the collector instead, our tables come at the end, and
        // its JSON still goes to results.json.
        collector reporter;
        int windows = register_benchmarks(all, reporter, status);
        // --benchmark_filter runs only some of them, and how many is Google Benchmark's to say.
        std::string filter = benchmark::GetBenchmarkFilter();
        status.expect_windows(filter.empty() || filter == "." || filter == "all" ? windows : 0);
        benchmark::RunSpecifiedBenchmarks(&reporter);
        // --benchmark_filter may have left rows out, --benchmark_list_tests all of them.
        std::erase_if(all.rows, [](const row& r) { return !r.selected; });
        if (all.rows.empty()) return 0;
        if (const row* stage01 = all.find("01-raw-asm"))
            all.client = check_client(*stage01, all.config, status);
        else
            all.client.problem = "01-raw-asm was not part of this run";
        measure_stage_costs(all, status);
        status.step("report and charts");
        write_report(all.config.out_dir / "report.md", all, draw_charts(all));
    }
    print_tables(std::cout, all);
    std::cout << "\nReport: " << (all.config.out_dir / "report.md").string() << "\n";
    benchmark::Shutdown();
    return 0;
}
