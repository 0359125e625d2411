// http_bench: every server of the build, any added with --with, and nginx for
// reference, under connection-per-request load over loopback. Google
// Benchmark runs each measurement as repetitions of one window, in a random
// order: three scenarios (one client, 32 clients, 32 clients while 16 stalled
// connections are held), the clients sweep, and the idle sweep for the rows
// that serve concurrently. Then what one request costs each server, counted,
// and wrk against the first row to check the client. Google Benchmark prints
// its table and writes results.json; report.py renders report.md and the
// charts from that file.
//
//   ./workshop bench [--quick] [--with NAME=COMMAND]...    (or build/bench/http_bench)
#include "bench.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <future>
#include <iostream>
#include <string_view>
#include <unistd.h>

namespace {

using namespace bench;

constexpr const char* usage =
    "usage: http_bench [--quick] [--with NAME=COMMAND]... [--out-dir DIR] [--benchmark_... flags]\n"
    "  --quick              fewer, shorter windows: under a minute instead of 4 to 5\n"
    "  --with NAME=COMMAND  measure another server too, as row NAME: COMMAND split into words,\n"
    "                       {port} in it replaced by the port, or --port N appended\n"
    "  --out-dir DIR        where results.json, report.md and the charts go (" BENCH_OUT_DIR ")\n"
    "Google Benchmark's own flags work too, e.g. --benchmark_filter=nginx.\n";

void print_usage() {
    std::fputs(usage, stdout);
    benchmark::PrintDefaultHelp();
}

// Google Benchmark's console table and its JSON record of every run, in
// results.json: one record across the two runs (the windows, then the costs).
// The console gets each benchmark's aggregates (its one window when there is
// one), in the order they were registered rather than the random order they
// ran in, so that each kind of measurement forms one table; the run's
// description for report.py (context "bench") stays out of it.
class console_and_json : public benchmark::BenchmarkReporter {
public:
    console_and_json(std::ostream& file, std::string description)
        : description_(std::move(description)), console_(static_cast<benchmark::ConsoleReporter::OutputOptions>(
              benchmark::ConsoleReporter::OO_Tabular |
              (::isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_Color : 0))) {
        json_.SetOutputStream(&file);
        json_.SetErrorStream(&std::cerr);
    }
    bool ReportContext(const Context& context) override {
        if (started_) return true;
        started_ = true;
        bool ok = console_.ReportContext(context);
        benchmark::AddCustomContext("bench", description_);  // after the console has printed the context
        return ok && json_.ReportContext(context);
    }
    void ReportRuns(const std::vector<Run>& runs) override {
        json_.ReportRuns(runs);
        for (const Run& r : runs)
            if (r.run_type == Run::RT_Aggregate || r.repetitions == 1 || r.error_occurred) held_.push_back(r);
    }
    // Prints what the last run held back, in registration order.
    void Finalize() override {
        std::stable_sort(held_.begin(), held_.end(),
                         [](const Run& a, const Run& b) { return a.family_index < b.family_index; });
        console_.ReportRuns(held_);
        held_.clear();
        std::cout << std::flush;
    }
    void finish() {
        if (started_) json_.Finalize();
    }

private:
    std::string description_;
    benchmark::ConsoleReporter console_;
    benchmark::JSONReporter json_;
    std::vector<Run> held_;
    bool started_ = false;
};

template <class Measure>
void add(const std::string& name, int repetitions, Measure measure) {
    benchmark::RegisterBenchmark(name.c_str(), measure)
        ->Iterations(1)  // one window per repetition
        ->Repetitions(repetitions)
        ->UseRealTime()  // the work happens in the server process
        ->Unit(benchmark::kMillisecond);
}

// Every window of every row that passed the check, a kind at a time.
void register_windows(std::vector<row>& rows, const settings& config) {
    for (row& r : rows)
        for (const scenario& s : scenarios)
            if (r.problem.empty())
                add("scenario/" + r.name + "/" + std::string(s.name), config.scenario.count,
                    [&](benchmark::State& st) { measure_scenario(st, r, s, config); });
    for (row& r : rows)  // not the emulated rows: the sweeps would take minutes under an emulator
        for (int clients : client_counts)
            if (r.problem.empty() && r.what != row::kind::emulated)
                add("clients/" + r.name + "/" + std::to_string(clients), config.clients.count,
                    [&, clients](benchmark::State& st) { measure_clients(st, r, clients, config); });
    for (row& r : rows)
        for (int held : held_counts)
            if (r.problem.empty() && r.concurrent)
                add("idle/" + r.name + "/" + std::to_string(held), config.idle.count,
                    [&, held](benchmark::State& st) { measure_held(st, r, held, config); });
}

// The costs of each row that ran (not the emulated ones, not nginx), and wrk
// against the first row, in turns with this client.
void register_costs(std::vector<row>& rows, const settings& config) {
    for (row& r : rows)
        if (r.ran && (r.what == row::kind::built || r.what == row::kind::added))
            add("cost/" + r.name, 1, [&](benchmark::State& st) { measure_costs(st, r, config); });
    row& first = rows.front();
    if (!first.ran) return;
    for (bool wrk : {true, false})
        add(std::string("client-check/") + (wrk ? "wrk/" : "this-client/") + first.name, config.client_check_rounds,
            [&, wrk](benchmark::State& st) {
                auto server = start(first, config.out_dir);
                int clients = scenarios[1].clients;
                std::optional<double> rps;
                for (auto _ : st)
                    rps = wrk ? wrk_requests_per_second(server->port(), clients, config.wrk_window)
                              : run_load({server->port(), clients, config.wrk_window, first.response_size})
                                    .requests_per_second();
                if (!rps) return st.SkipWithError("wrk is not installed or failed");
                st.counters["req_per_s"] = *rps;
            });
}

// JSON for the context: a string quoted, a list or an object of JSON texts.
std::string quote(std::string_view text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        if (c >= 0x20) out += static_cast<char>(c);
        else out += "\\u00" + std::string{"0123456789abcdef"[c >> 4], "0123456789abcdef"[c & 15]};
    }
    return out + "\"";
}

template <class T, class Json>
std::string list(const T& items, Json json, const char* brackets = "[]") {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + json(item);
    return brackets[0] + out + brackets[1];
}

std::string object(std::initializer_list<std::pair<const char*, std::string>> fields) {
    return list(fields, [](const auto& field) { return quote(field.first) + ": " + field.second; }, "{}");
}

// What report.py needs beside the runs, in results.json's context ("bench").
std::string describe_run(const std::vector<row>& rows, const settings& config, bool own_network, rlim_t limit) {
    using std::to_string;
    auto window = [](const windows& w) { return object({{"count", to_string(w.count)}, {"ms", to_string(w.length.count())}}); };
    auto number = [](int n) { return to_string(n); };
    const char* kinds[] = {"built", "emulated", "added", "reference"};
    auto row_json = [&](const row& r) {
        return object({{"name", quote(r.name)}, {"label", quote(r.label)}, {"kind", quote(kinds[int(r.what)])},
                       {"concurrent", r.concurrent ? "true" : "false"}, {"command", list(r.command, quote)},
                       {"problem", quote(r.problem)}, {"header_differences", list(r.header_differences, quote)}});
    };
    auto scenario_json = [](const scenario& s) {
        return object({{"name", quote(s.name)}, {"title", quote(s.title)}, {"clients", to_string(s.clients)},
                       {"stalled", to_string(s.stalled)}});
    };
    return object({
        {"quick", config.quick ? "true" : "false"}, {"scenario_windows", window(config.scenario)},
        {"clients_windows", window(config.clients)}, {"idle_windows", window(config.idle)},
        {"client_check", object({{"count", to_string(config.client_check_rounds)},
                                 {"seconds", to_string(config.wrk_window.count())}})},
        {"cost_requests", to_string(config.cost_requests)}, {"own_network", own_network ? "true" : "false"},
        {"descriptor_limit", to_string(limit)}, {"descriptors_wanted", to_string(held_counts.back() + 2000)},
        {"compiler", quote(BENCH_COMPILER)}, {"scenarios", list(scenarios, scenario_json)},
        {"client_counts", list(client_counts, number)}, {"held_counts", list(held_counts, number)},
        {"held_load_clients", to_string(held_load_clients)}, {"rows", list(rows, row_json)}});
}

}  // namespace

int main(int argc, char* argv[]) {
    // Ours come first, so that the same flags given on the command line win.
    std::vector<char*> args = {argv[0], const_cast<char*>("--benchmark_enable_random_interleaving=true")};
    args.insert(args.end(), argv + 1, argv + argc);
    int count = static_cast<int>(args.size());
    benchmark::Initialize(&count, args.data(), print_usage);  // takes out its own flags; --help prints usage
    settings config;
    std::vector<std::string> added;
    auto bad_argument = [](const std::string& what) { return std::fprintf(stderr, "http_bench: %s\n%s", what.c_str(), usage), 2; };
    for (int i = 1; i < count; ++i) {
        std::string arg = args[i];
        if (arg == "--quick")
            config = {true, {3, 250ms}, {1, 200ms}, {1, 250ms}, 1s, 1, 100, config.out_dir};
        else if (arg != "--out-dir" && arg != "--with") return bad_argument("unknown argument " + arg);
        else if (i + 1 == count) return bad_argument("missing value after " + arg);
        else if (arg == "--out-dir") config.out_dir = args[++i];
        else added.push_back(args[++i]);  // NAME=COMMAND, checked by read_rows
    }

    std::vector<row> rows;
    bool own_network = false;
    try {
        rows = read_rows(WORKSHOP_SERVERS_FILE, added);
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
        for (row& r : rows) checks.push_back(std::async(std::launch::async, check_row, std::ref(r), config.out_dir));
    }

    register_windows(rows, config);
    auto json_file = config.out_dir / "results.json";
    std::ofstream json(json_file);
    console_and_json reporter(json, describe_run(rows, config, own_network, limit));
    if (benchmark::RunSpecifiedBenchmarks(&reporter) == 0) return 2;  // a filter for nothing: Google Benchmark said so
    bool ran = std::any_of(rows.begin(), rows.end(), [](const row& r) { return r.ran; });  // see --benchmark_filter
    benchmark::ClearRegisteredBenchmarks();
    if (ran) register_costs(rows, config), benchmark::RunSpecifiedBenchmarks(&reporter, "^(cost|client-check)/");
    reporter.finish();
    json.close();
    benchmark::Shutdown();
    if (!ran) return 0;

    // report.py renders report.md and the charts, in this process's place.
    ::execl(BENCH_PYTHON, BENCH_PYTHON, BENCH_RENDERER, json_file.c_str(), config.out_dir.c_str(), nullptr);
    return std::fprintf(stderr, "http_bench: %s: %s\n", BENCH_PYTHON, std::strerror(errno)), 1;
}
