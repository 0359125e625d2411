// http_bench: every server of the build, any added with --with, and nginx, under
// connection-per-request load over loopback. Each measurement is a Google Benchmark
// whose repetitions are its windows, all run in one random order; it writes
// results.json, run.json describes the run, and report.py renders the report.
//
//   ./workshop bench [--quick] [--with NAME=COMMAND]...    (or build/bench/http_bench)
#include "bench.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <future>
#include <ranges>
#include <unistd.h>

namespace {

using namespace bench;

constexpr const char* usage =
    "usage: http_bench [--quick] [--with NAME=COMMAND]... [--out-dir DIR] [--benchmark_... flags]\n"
    "  --quick              fewer, shorter windows: under two minutes instead of 6 to 7\n"
    "  --with NAME=COMMAND  measure another server too, as row NAME: COMMAND split into words,\n"
    "                       {port} in it replaced by the port, or --port N appended\n"
    "  --out-dir DIR        where results.json, report.md and the charts go (" BENCH_OUT_DIR ")\n"
    "Google Benchmark's own flags work too, e.g. --benchmark_filter=nginx.\n";

// Google Benchmark's console table, its runs held until Finalize (after the
// last) and printed in the order they were registered rather than the random
// order they ran in, so that each kind of measurement forms one table.
class grouped_console : public benchmark::ConsoleReporter {
public:
    grouped_console()
        : ConsoleReporter(static_cast<OutputOptions>(OO_Tabular | (::isatty(STDOUT_FILENO) ? OO_Color : OO_None))) {}
    void ReportRuns(const std::vector<Run>& runs) override { held_.insert(held_.end(), runs.begin(), runs.end()); }
    void Finalize() override {
        if (::isatty(STDERR_FILENO)) std::fputs("\r\033[K", stderr);  // the last window's status line
        std::ranges::stable_sort(held_, {}, &Run::family_index);
        ConsoleReporter::ReportRuns(held_);
    }

private:
    std::vector<Run> held_;
};

// One window per repetition, timed on the wall clock (the work is the server's);
// the console shows the aggregates, results.json every window too.
template <class Measure>
void add(const std::string& name, const windows& w, Measure measure) {
    benchmark::RegisterBenchmark(name.c_str(), measure)->Iterations(1)->Repetitions(w.count)->UseRealTime()
        ->DisplayAggregatesOnly()->Unit(benchmark::kMillisecond);
}

// Every measurement of every row that passed the check, a kind at a time; not
// the emulated rows' sweeps or costs, which would take minutes and count the
// emulator. The client check takes the first row.
void register_all(std::vector<row>& rows, const settings& config) {
    auto measured = [](const row& r) { return r.problem.empty(); };
    auto native = [](const row& r) { return r.problem.empty() && r.what != row::kind::emulated; };
    for (row& r : rows | std::views::filter(measured))
        for (const scenario& s : scenarios)
            add("scenario/" + r.name + "/" + std::string(s.name), s.depth ? config.kept : config.scenario,
                [&](benchmark::State& st) { measure_scenario(st, r, s, config); });
    for (row& r : rows | std::views::filter(native))
        for (int clients : client_counts)
            add("clients/" + r.name + "/" + std::to_string(clients), config.clients,
                [&, clients](benchmark::State& st) { measure_clients(st, r, clients, config); });
    for (row& r : rows | std::views::filter([&](const row& r) { return native(r) && r.concurrent; }))
        for (int held : held_counts)
            add("idle/" + r.name + "/" + std::to_string(held), config.idle,
                [&, held](benchmark::State& st) { measure_held(st, r, held, config); });
    for (row& r : rows | std::views::filter(native))
        if (r.what != row::kind::reference)
            add("cost/" + r.name, {1, 0ms}, [&](benchmark::State& st) { measure_costs(st, r, config); });
    for (bool wrk : {true, false})
        if (measured(rows.front()))
            add(std::string("client-check/") + (wrk ? "wrk/" : "this-client/") + rows.front().name, config.client_check,
            [&, wrk](benchmark::State& st) { check_client(st, rows.front(), wrk, config); });
}

// JSON: `text` as a string, quotes, backslashes and control characters
// escaped; a list, `each` giving an item's JSON; an object, of "key": JSON.
std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, c < 0x20 ? "\\u%04x" : c == '"' || c == '\\' ? "\\%c" : "%c", c);
        out += escaped;
    }
    return out + "\"";
}
std::string joined(const auto& items, auto each, std::string_view brackets = "[]") {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + each(item);
    return brackets[0] + out + brackets[1];
}
std::string object(std::initializer_list<std::pair<std::string_view, std::string>> fields) {
    return joined(fields, [](const auto& field) { return json_string(field.first) + ": " + field.second; }, "{}");
}

// What report.py needs beside the windows, in run.json beside results.json:
// the rows as the check before measuring found them, the scenarios, the settings.
void describe_run(const std::vector<row>& rows, const settings& config, bool own_network, rlim_t limit) {
    const char* kinds[] = {"built", "emulated", "added", "reference"};
    auto yes = [](bool b) { return std::string(b ? "true" : "false"); };
    auto number = [](auto n) { return std::to_string(n); };
    auto window = [&](const windows& w) { return "[" + number(w.count) + ", " + number(w.length.count()) + "]"; };
    std::ofstream(config.out_dir / "run.json") << object({
        {"rows", joined(rows, [&](const row& r) {
            return object({{"name", json_string(r.name)}, {"label", json_string(r.label)},
                           {"kind", json_string(kinds[int(r.what)])}, {"concurrent", yes(r.concurrent)},
                           {"keeps", yes(r.keeps)}, {"problem", json_string(r.problem)}, {"answer", json_string(r.answer)}});
        })},
        {"scenarios", joined(scenarios, [&](const scenario& s) {
            return object({{"name", json_string(s.name)}, {"title", json_string(s.title)},
                           {"clients", number(s.clients)}, {"stalled", number(s.stalled)}, {"depth", number(s.depth)},
                           {"windows", window(s.depth ? config.kept : config.scenario)}});
        })},
        {"client_counts", joined(client_counts, number)}, {"held_counts", joined(held_counts, number)},
        {"scenario_windows", window(config.scenario)}, {"clients_windows", window(config.clients)},
        {"idle_windows", window(config.idle)}, {"client_check_windows", window(config.client_check)},
        {"held_load_clients", number(held_load_clients)}, {"cost_requests", number(config.cost_requests)},
        {"quick", yes(config.quick)}, {"own_network", yes(own_network)}, {"descriptor_limit", number(limit)},
        {"compiler", json_string(BENCH_COMPILER)}}) << "\n";
}

}  // namespace

int main(int argc, char* argv[]) {
    auto bad_argument = [](const std::string& what) { return std::fprintf(stderr, "http_bench: %s\n%s", what.c_str(), usage), 2; };
    settings config;
    bool quick = false, listing = false;
    std::vector<std::string> added;  // NAME=COMMAND, checked by read_rows
    std::vector<char*> args = {argv[0]};  // Google Benchmark's, taken out by Initialize
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--quick") {
            quick = true;
        } else if (arg.starts_with("--benchmark_out")) {
            return bad_argument(arg + ": results.json goes to --out-dir, where report.py reads it");
        } else if (arg != "--out-dir" && arg != "--with") {
            listing = listing || arg.starts_with("--benchmark_list_tests");
            args.push_back(argv[i]);
        } else if (i + 1 == argc) {
            return bad_argument("missing value after " + arg);
        } else if (arg == "--out-dir") {
            config.out_dir = argv[++i];
        } else {
            added.emplace_back(argv[++i]);
        }
    }
    if (quick)
        config = {.quick = true, .scenario = {3, 200ms}, .kept = {3, 200ms}, .clients = {1, 150ms}, .idle = {1, 250ms},
                  .client_check = {1, 1s}, .cost_requests = 100, .cost_window = 200ms, .out_dir = config.out_dir};
    std::string json_flag = "--benchmark_out=" + (config.out_dir / "results.json").string();
    // Ours come first, so that the same flags given on the command line win.
    args.insert(args.begin() + 1, {const_cast<char*>("--benchmark_enable_random_interleaving=true"), json_flag.data()});
    int count = static_cast<int>(args.size());
    benchmark::Initialize(&count, args.data(), [] { std::fputs(usage, stdout); benchmark::PrintDefaultHelp(); });
    if (count > 1) return bad_argument(std::string("unknown argument ") + args[1]);

    std::vector<row> rows;
    bool own_network = false;
    try {
        rows = read_rows(added);
        // Before any thread starts: every thread and child made later inherits it.
        own_network = enter_own_network_namespace();
    } catch (const std::invalid_argument& e) {
        return bad_argument(e.what());
    } catch (const std::exception& e) {
        return std::fprintf(stderr, "http_bench: %s\n", e.what()), 1;
    }
    // The idle sweep holds 10,000 connections; the servers inherit the limit.
    rlim_t limit = workshop::raise_descriptor_limit(held_counts.back() + 2000);
    std::filesystem::create_directories(config.out_dir);
    {
        std::vector<std::future<void>> checks;  // each mostly waits: all at once
        for (row& r : rows) checks.push_back(std::async(std::launch::async, check_row, std::ref(r)));
    }

    register_all(rows, config);
    describe_run(rows, config, own_network, limit);
    grouped_console console;
    if (benchmark::RunSpecifiedBenchmarks(&console) == 0) return 2;  // a filter for nothing: Google Benchmark said so
    benchmark::Shutdown();
    if (listing) return 0;  // names listed, nothing measured

    // report.py renders report.md and the charts, in this process's place.
    ::execl(BENCH_PYTHON, BENCH_PYTHON, BENCH_RENDERER, config.out_dir.c_str(), nullptr);
    return std::fprintf(stderr, "http_bench: %s: %s\n", BENCH_PYTHON, std::strerror(errno)), 1;
}
