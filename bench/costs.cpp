// Measuring, counted rather than timed: what one request costs a server.
// System calls (strace -f -c) and user-space instructions (valgrind's
// callgrind), over every thread of the server and any program it execs. Each
// tool runs the server twice, for no request and for N, and the cost is the
// difference over N, so start-up and shutdown cancel out. Plus the stripped
// binary and the lines of source of a row of the build; and wrk, the
// independent client that checks ours.
#include "bench.hpp"

#include <algorithm>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

namespace bench {
namespace {

// The counts in the files a tool wrote, one per process: the "calls" column
// of the "total" line of strace -c, callgrind's "summary:" line.
std::optional<double> counted(const std::filesystem::path& dir, const std::string& prefix) {
    std::optional<double> total;
    for (const auto& file : std::filesystem::directory_iterator(dir)) {
        if (!file.path().filename().string().starts_with(prefix)) continue;
        std::ifstream in(file.path());
        for (std::string line, percent, seconds, usecs_per_call, calls; std::getline(in, line);) {
            if (line.starts_with("summary: ")) total = total.value_or(0) + std::stod(line.substr(9));
            else if (line.ends_with(" total") && std::istringstream(line) >> percent >> seconds >> usecs_per_call >> calls)
                total = total.value_or(0) + std::stod(calls);
        }
    }
    return total;
}

// What one request costs under `tool`, whose command line ends with the
// prefix of the files it writes: the server runs under it for no request,
// then for `requests` one after another, and is stopped with SIGTERM.
std::optional<double> per_request(const row& r, int requests, const std::filesystem::path& dir,
                                  std::vector<std::string> tool) {
    std::optional<double> count[2];
    for (int run : {0, 1}) {
        std::string prefix = r.name + "-" + std::filesystem::path(tool[0]).filename().string() + "-" +
                             std::to_string(run * requests) + ".";
        for (const auto& file : std::filesystem::directory_iterator(dir))
            if (file.path().filename().string().starts_with(prefix)) std::filesystem::remove(file);
        std::vector<std::string> command = tool;
        command.back() += (dir / prefix).string() + (command.back().empty() ? "out" : "%p");
        auto server = start(r, dir, command);
        for (int i = 0; i < run * requests; ++i)
            if (workshop::exchange(server->port(), request).bytes.empty()) return std::nullopt;
        // Let the server finish the connection it is on (in the run without
        // requests: the probe that saw it accept), so both runs count it.
        std::this_thread::sleep_for(300ms);
        server->stop(SIGTERM);
        count[run] = counted(dir, prefix);
    }
    if (!count[0] || !count[1]) return std::nullopt;
    return (*count[1] - *count[0]) / requests;
}

// Non-blank lines of the C, C++ and assembly files in the row's source
// directory (named as the row), comments included; nullopt without one.
std::optional<double> source_lines(const row& r) {
    auto dir = std::filesystem::path(WORKSHOP_SOURCE_DIR) / r.name;
    if (!std::filesystem::is_directory(dir)) return std::nullopt;
    const std::vector<std::string> sources = {".c", ".cc", ".cpp", ".h", ".hpp", ".S", ".s"};
    double lines = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file() || std::ranges::find(sources, entry.path().extension().string()) == sources.end())
            continue;
        std::ifstream in(entry.path());
        for (std::string line; std::getline(in, line);) lines += line.find_first_not_of(" \t\r") != std::string::npos;
    }
    return lines;
}

}  // namespace

void measure_costs(benchmark::State& state, const row& r, const settings& config) {
    auto dir = config.out_dir / "costs";
    std::filesystem::create_directories(dir);
    auto strace = workshop::find_program("strace"), valgrind = workshop::find_program("valgrind");
    std::optional<double> syscalls, instructions, bytes, lines;
    std::string note;
    for (auto _ : state) {
        // One run at a time: a server slowed down by another run can count
        // more calls (03 closes politely when the client has closed first).
        try {
            // -c counts calls instead of printing them; -f follows every
            // thread and child. strace -o ignores SIGTERM by default; -I2
            // lets it end the server and still write the summary.
            if (strace) syscalls = per_request(r, config.cost_requests, dir, {strace->string(), "-c", "-f", "-I2", "-o", ""});
            // Callgrind counts every thread and writes its counts even when
            // SIGTERM ends the program; --trace-children follows a command
            // that execs its server (an interpreter's launcher, an emulator's).
            if (valgrind)
                instructions = per_request(r, config.cost_requests, dir, {valgrind->string(), "--tool=callgrind",
                                           "--trace-children=yes", "--callgrind-out-file="});
        } catch (const std::exception& e) {
            note = std::string("could not run it under a tool: ") + e.what();
        }
    }
    if (!strace) note = "strace is not installed (a Linux tool)";
    else if (!valgrind) note = "valgrind is not installed (not on macOS)";
    else if (note.empty() && !syscalls) note = "strace wrote no count";
    else if (note.empty() && !instructions) note = "callgrind wrote no count";
    auto strip = workshop::find_program("strip");
    auto copy = dir / (r.name + ".stripped");
    if (r.what == row::kind::built && strip && workshop::run_command(*strip, {"-o", copy.string(), r.command[0]}).exit_code == 0)
        bytes = static_cast<double>(std::filesystem::file_size(copy));
    if (r.what == row::kind::built) lines = source_lines(r);
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
    auto result = workshop::run_command(*wrk, {"-t" + std::to_string(threads), "-c" + std::to_string(clients),
                                               "-d" + std::to_string(duration.count()) + "s", "-H", "Connection: close",
                                               "http://127.0.0.1:" + std::to_string(port) + "/"},
                                        duration + 30s);
    auto at = result.out.find("Requests/sec:");
    if (result.exit_code != 0 || at == std::string::npos) return std::nullopt;
    return std::stod(result.out.substr(at + 13));
}

}  // namespace bench
