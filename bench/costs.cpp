#include "costs.hpp"

#include "load.hpp"
#include "support/client.hpp"
#include "tools.hpp"

#include <algorithm>
#include <csignal>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

namespace bench {
namespace {

using namespace std::chrono_literals;

// Starts `tool args... program --port P`, makes `requests` requests one
// after another, then stops it with SIGTERM. False when a request failed.
bool serve_under(const std::filesystem::path& tool, std::vector<std::string> args,
                 const target& stage, int requests) {
    int port = workshop::free_port();
    args.insert(args.end(), {stage.program.string(), "--port", std::to_string(port)});
    workshop::server_process server(tool, args, port);
    for (int i = 0; i < requests; ++i)
        if (workshop::exchange(port, request).bytes.empty()) return false;
    // Let the server finish the connection it is on (in the run without
    // requests: the probe that saw it accept), so both runs count it.
    std::this_thread::sleep_for(300ms);
    server.stop(SIGTERM);
    return true;
}

// A tool's count for a run of n requests; nullopt when the run failed.
using count_for = std::function<std::optional<double>(int n)>;

std::optional<double> per_request(const count_for& count, int requests) {
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

// The "summary:" line of a callgrind output file: instructions executed.
std::optional<double> callgrind_total(const std::filesystem::path& out) {
    std::ifstream in(out);
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("summary: ")) return std::stod(line.substr(9));
    return std::nullopt;
}

std::optional<double> syscalls_per_request(const std::filesystem::path& strace, const target& stage,
                                           int requests, const std::filesystem::path& dir) {
    return per_request([&](int n) -> std::optional<double> {
        auto summary = dir / (stage.name + "-" + std::to_string(n) + ".strace");
        // -c counts calls instead of printing them; -f follows threads. By
        // default strace -o ignores SIGTERM; -I2 lets it end the server on
        // SIGTERM and still write the summary (01 and 02 have no handler).
        if (!serve_under(strace, {"-c", "-f", "-I2", "-o", summary.string()}, stage, n))
            return std::nullopt;
        return strace_total(summary);
    }, requests);
}

std::optional<double> instructions_per_request(const std::filesystem::path& valgrind,
                                               const target& stage, int requests,
                                               const std::filesystem::path& dir) {
    return per_request([&](int n) -> std::optional<double> {
        auto out = dir / (stage.name + "-" + std::to_string(n) + ".callgrind");
        // Callgrind writes its counts even when SIGTERM kills the program.
        if (!serve_under(valgrind, {"--tool=callgrind", "--callgrind-out-file=" + out.string()},
                         stage, n))
            return std::nullopt;
        return callgrind_total(out);
    }, requests);
}

std::optional<std::uintmax_t> stripped_size(const target& stage, const std::filesystem::path& dir) {
    auto strip = find_tool("strip");
    if (!strip) return std::nullopt;
    auto copy = dir / (stage.name + ".stripped");
    if (workshop::run_command(*strip, {"-o", copy.string(), stage.program.string()}).exit_code != 0)
        return std::nullopt;
    return std::filesystem::file_size(copy);
}

}  // namespace

stage_costs measure_costs(const target& stage, int requests, const std::filesystem::path& work_dir) {
    stage_costs costs;
    auto dir = work_dir / "costs";
    std::filesystem::create_directories(dir);
    costs.stripped_bytes = stripped_size(stage, dir);
    costs.source_lines = source_lines(std::filesystem::path(WORKSHOP_SOURCE_DIR) / stage.name);
    try {
        if (auto strace = find_tool("strace"))
            costs.syscalls_per_request = syscalls_per_request(*strace, stage, requests, dir);
        else
            costs.note += "strace is not installed (a Linux tool). ";
        if (auto valgrind = find_tool("valgrind"))
            costs.instructions_per_request = instructions_per_request(*valgrind, stage, requests, dir);
        else
            costs.note += "valgrind is not installed (not available on macOS). ";
    } catch (const std::exception& e) {
        costs.note += std::string("could not run it under a tool: ") + e.what();
    }
    return costs;
}

std::optional<int> source_lines(const std::filesystem::path& stage_dir) {
    if (!std::filesystem::is_directory(stage_dir)) return std::nullopt;
    const std::vector<std::string> sources = {".c", ".cc", ".cpp", ".h", ".hpp", ".S", ".s"};
    int lines = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(stage_dir)) {
        auto ext = entry.path().extension().string();
        if (!entry.is_regular_file() || std::find(sources.begin(), sources.end(), ext) == sources.end())
            continue;
        std::ifstream in(entry.path());
        for (std::string line; std::getline(in, line);)
            if (line.find_first_not_of(" \t\r") != std::string::npos) ++lines;
    }
    return lines;
}

std::optional<double> wrk_requests_per_second(int port, int clients, std::chrono::seconds duration) {
    auto wrk = find_tool("wrk");
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
