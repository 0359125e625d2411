// http_bench: every server in bin/, and nginx for reference, under
// connection-per-request load over loopback, in three scenarios (one client,
// 32 clients, 32 clients while 16 stalled connections are held open); then
// wrk against stage 01 to check the client, and what one request costs each
// native stage. Writes results.json (Google Benchmark), report.md and
// throughput.png, and prints one table per scenario.
//
//   ./workshop bench [--quick]    (or: build/bench/http_bench --quick)
#include "load.hpp"
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
    "  --quick         0.5 s per measurement instead of 3 s: about 30 s in all\n"
    "  --out-dir DIR   where results.json, report.md and throughput.png go\n"
    "                  (default: " BENCH_OUT_DIR ")\n"
    "Google Benchmark's own flags work too, e.g. --benchmark_filter=nginx.";

int bad_argument(const char* what, const char* arg) {
    std::fprintf(stderr, "http_bench: %s: %s\n%s\n", what, arg, usage);
    return 2;
}

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

// Measures one row in one scenario: a fresh server, the golden check, then
// the load. The figures go to r (for the report) and to the counters (for
// results.json).
void measure(benchmark::State& state, row& r, std::size_t s, const settings& config,
             progress& status) {
    status.step(r.server.name + " / " + std::string(scenarios[s].title));
    r.selected = true;
    measurement& m = r.by_scenario[s];
    std::unique_ptr<workshop::server_process> server;
    try {
        server = start(r.server, config.out_dir);
    } catch (const std::exception& e) {
        m.problem = one_line(std::string("did not start: ") + e.what());
        state.SkipWithError(m.problem.c_str());
        return;
    }
    answer_check check = check_answer(r.server, server->port());
    r.header_differences = check.header_differences;
    if (!check.problem.empty()) {
        m.problem = one_line(check.problem);
        state.SkipWithError(m.problem.c_str());
        return;
    }

    stalled_clients stalled(server->port(), scenarios[s].stalled);
    load_plan plan{server->port(), scenarios[s].clients, config.window, check.response_size};
    load_result load;
    for (auto _ : state) load = run_load(plan);

    m = {.measured = true,
         .requests_per_second = load.requests_per_second(),
         .p50_us = load.percentile_us(50),
         .p99_us = load.percentile_us(99),
         .completed = load.completed,
         .failed = load.failed,
         .unfinished = load.unfinished,
         .stalled_held = stalled.held()};
    state.counters["requests_per_second"] = m.requests_per_second;
    state.counters["p50_us"] = m.p50_us;
    state.counters["p99_us"] = m.p99_us;
    state.counters["failed"] = static_cast<double>(m.failed);
    state.counters["unfinished"] = static_cast<double>(m.unfinished);
    if (m.stalled()) state.SetLabel("stalled");
}

void register_benchmarks(results& all, progress& status) {
    for (row& r : all.rows)
        for (std::size_t s = 0; s < scenarios.size(); ++s) {
            std::string name = r.server.name + "/" + std::string(scenarios[s].name);
            benchmark::RegisterBenchmark(name.c_str(), [&r, s, &all, &status](benchmark::State& state) {
                measure(state, r, s, all.config, status);
            })
                ->Iterations(1)  // one window of config.window
                ->UseRealTime()  // the work happens in the server process
                ->Unit(benchmark::kMillisecond);
        }
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
                                   [](const measurement& m) { return m.measured; });
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
            all.config.window = std::chrono::milliseconds(500);
            all.config.wrk_window = std::chrono::seconds(1);
            all.config.client_check_rounds = 1;
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
    benchmark_args.insert(benchmark_args.begin() + 1,
                          "--benchmark_out=" + (all.config.out_dir / "results.json").string());

    std::vector<char*> benchmark_argv;
    for (auto& a : benchmark_args) benchmark_argv.push_back(a.data());
    int benchmark_argc = static_cast<int>(benchmark_argv.size());
    benchmark::Initialize(&benchmark_argc, benchmark_argv.data());
    if (benchmark::ReportUnrecognizedArguments(benchmark_argc, benchmark_argv.data())) return 2;

    for (auto& t : all_targets()) all.rows.push_back({.server = t});
    {
        progress status;
        register_benchmarks(all, status);
        // Google Benchmark's console table would fight the progress line;
        // our tables come at the end, and its JSON still goes to results.json.
        struct quiet : benchmark::BenchmarkReporter {
            bool ReportContext(const Context&) override { return true; }
            void ReportRuns(const std::vector<Run>&) override {}
        } reporter;
        benchmark::RunSpecifiedBenchmarks(&reporter);
        // --benchmark_filter may have left rows out, --benchmark_list_tests all of them.
        std::erase_if(all.rows, [](const row& r) { return !r.selected; });
        if (all.rows.empty()) return 0;
        if (const row* stage01 = all.find("01-raw-asm"))
            all.client = check_client(*stage01, all.config, status);
        else
            all.client.problem = "01-raw-asm was not part of this run";
        measure_stage_costs(all, status);
        status.step("report and chart");
        auto chart = draw_chart(all);
        write_report(all.config.out_dir / "report.md", all, chart);
    }
    print_tables(std::cout, all);
    std::cout << "\nReport: " << (all.config.out_dir / "report.md").string() << "\n";
    benchmark::Shutdown();
    return 0;
}
