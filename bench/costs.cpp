// Measuring, counted rather than timed: what one request costs a server.
// System calls (strace -f -c) and user-space instructions (valgrind's
// callgrind), both over every thread of the server. Each
// tool runs the server twice, once for no request and once for N, and the
// cost is the difference over N, so start-up and shutdown cancel out. Plus
// the stripped binary's size and the lines of source of a row of the build.
// And wrk, the independent client that checks ours.
#include "bench.hpp"

#include <algorithm>
#include <csignal>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

namespace bench {
namespace {

using namespace std::chrono_literals;

// Starts the row's server behind `wrapper`, makes `requests` requests one
// after another, then stops it with SIGTERM. False when a request failed.
bool serve_under(const std::vector<std::string>& wrapper, const row& r, int requests,
                 const std::filesystem::path& dir) {
    auto server = start(r, dir, wrapper);
    for (int i = 0; i < requests; ++i)
        if (workshop::exchange(server->port(), request).bytes.empty()) return false;
    // Let the server finish the connection it is on (in the run without
    // requests: the probe that saw it accept), so both runs count it.
    std::this_thread::sleep_for(300ms);
    server->stop(SIGTERM);
    return true;
}

// A tool's count for a run of n requests; nullopt when the run failed.
std::optional<double> per_request(const std::function<std::optional<double>(int)>& count, int requests) {
    auto none = count(0);
    auto some = count(requests);
    if (!none || !some) return std::nullopt;
    return (*some - *none) / requests;
}

// The "calls" column of the "total" line of strace -c's summary.
std::optional<double> strace_total(const std::filesystem::path& summary) {
    std::ifstream in(summary);
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        std::string percent, seconds, usecs_per_call, calls;
        fields >> percent >> seconds >> usecs_per_call >> calls;
        if (line.ends_with(" total") && !calls.empty()) return std::stod(calls);
    }
    return std::nullopt;
}

// The "summary:" lines of callgrind's output files, one per process: instructions executed.
std::optional<double> callgrind_total(const std::filesystem::path& dir, const std::string& prefix) {
    std::optional<double> total;
    for (const auto& file : std::filesystem::directory_iterator(dir)) {
        if (!file.path().filename().string().starts_with(prefix)) continue;
        std::ifstream in(file.path());
        for (std::string line; std::getline(in, line);)
            if (line.starts_with("summary: ")) total = total.value_or(0) + std::stod(line.substr(9));
    }
    return total;
}

std::optional<double> syscalls_per_request(const row& r, int requests, const std::filesystem::path& dir) {
    auto strace = workshop::find_program("strace");
    if (!strace) return std::nullopt;
    return per_request([&](int n) -> std::optional<double> {
        auto summary = dir / (r.name + "-" + std::to_string(n) + ".strace");
        // -c counts calls instead of printing them; -f follows every thread
        // and child. strace -o ignores SIGTERM by default; -I2 lets it end
        // the server and still write the summary (01 and 02 have no handler).
        if (!serve_under({strace->string(), "-c", "-f", "-I2", "-o", summary.string()}, r, n, dir))
            return std::nullopt;
        return strace_total(summary);
    }, requests);
}

std::optional<double> instructions_per_request(const row& r, int requests, const std::filesystem::path& dir) {
    auto valgrind = workshop::find_program("valgrind");
    if (!valgrind) return std::nullopt;
    return per_request([&](int n) -> std::optional<double> {
        std::string prefix = r.name + "-" + std::to_string(n) + ".callgrind.";
        for (const auto& file : std::filesystem::directory_iterator(dir))
            if (file.path().filename().string().starts_with(prefix)) std::filesystem::remove(file);
        // Callgrind counts every thread and writes its counts even when
        // SIGTERM ends the program; --trace-children follows a command
        // that execs its server (an interpreter's launcher, an emulator's).
        if (!serve_under({valgrind->string(), "--tool=callgrind", "--trace-children=yes",
                          "--callgrind-out-file=" + (dir / prefix).string() + "%p"}, r, n, dir))
            return std::nullopt;
        return callgrind_total(dir, prefix);
    }, requests);
}

std::optional<double> stripped_size(const row& r, const std::filesystem::path& dir) {
    auto strip = workshop::find_program("strip");
    auto copy = dir / (r.name + ".stripped");
    if (!strip || workshop::run_command(*strip, {"-o", copy.string(), r.command[0]}).exit_code != 0)
        return std::nullopt;
    return static_cast<double>(std::filesystem::file_size(copy));
}

// Non-blank lines of the C, C++ and assembly files in the row's source
// directory (named as the row), comments included; nullopt without one.
std::optional<double> source_lines(const row& r) {
    auto dir = std::filesystem::path(WORKSHOP_SOURCE_DIR) / r.name;
    if (!std::filesystem::is_directory(dir)) return std::nullopt;
    const std::vector<std::string> sources = {".c", ".cc", ".cpp", ".h", ".hpp", ".S", ".s"};
    double lines = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        auto ext = entry.path().extension().string();
        if (!entry.is_regular_file() || std::find(sources.begin(), sources.end(), ext) == sources.end())
            continue;
        std::ifstream in(entry.path());
        for (std::string line; std::getline(in, line);)
            if (line.find_first_not_of(" \t\r") != std::string::npos) ++lines;
    }
    return lines;
}

}  // namespace

void measure_costs(benchmark::State& state, const row& r, const settings& config) {
    auto dir = config.out_dir / "costs";
    std::filesystem::create_directories(dir);
    std::optional<double> syscalls, instructions;
    std::string note;
    for (auto _ : state) {
        // One run at a time: a server slowed down by another run can count
        // more calls (03 closes politely when the client has closed first).
        try {
            syscalls = syscalls_per_request(r, config.cost_requests, dir);
            instructions = instructions_per_request(r, config.cost_requests, dir);
        } catch (const std::exception& e) {
            note = std::string("could not run it under a tool: ") + e.what();
        }
    }
    for (auto [count, tool, absent] : {std::tuple{syscalls, "strace", "a Linux tool"}, {instructions, "valgrind", "not on macOS"}})
        if (!count && note.empty())
            note = workshop::find_program(tool) ? std::string("the run under ") + tool + " failed"
                                                : std::string(tool) + " is not installed (" + absent + ")";
    std::optional<double> bytes, lines;
    if (r.what == row::kind::built) bytes = stripped_size(r, dir), lines = source_lines(r);
    // -1: not counted (the label says why, when there is a reason to say).
    state.counters["syscalls_per_req"] = syscalls.value_or(-1);
    state.counters["instructions_per_req"] = instructions.value_or(-1);
    state.counters["stripped_bytes"] = bytes.value_or(-1);
    state.counters["source_lines"] = lines.value_or(-1);
    std::replace_if(note.begin(), note.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    if (!note.empty()) state.SetLabel(note);
}

std::optional<double> wrk_requests_per_second(int port, int clients, std::chrono::seconds duration) {
    auto wrk = workshop::find_program("wrk");
    if (!wrk) return std::nullopt;
    int threads = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, clients);
    auto result = workshop::run_command(
        *wrk,
        {"-t" + std::to_string(threads), "-c" + std::to_string(clients),
         "-d" + std::to_string(duration.count()) + "s", "-H", "Connection: close",
         "http://127.0.0.1:" + std::to_string(port) + "/"},
        duration + 30s);
    auto at = result.out.find("Requests/sec:");
    if (result.exit_code != 0 || at == std::string::npos) return std::nullopt;
    return std::stod(result.out.substr(at + 13));
}

}  // namespace bench
