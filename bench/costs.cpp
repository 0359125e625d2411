// Measuring, counted rather than timed: one request's system calls (strace)
// and user-space instructions (callgrind), every thread and exec'd program
// included. And the client check: wrk and ours in turns against one server.
#include "bench.hpp"

#include <algorithm>
#include <csignal>
#include <fstream>
#include <netinet/tcp.h>
#include <sstream>
#include <sys/socket.h>
#include <thread>

namespace bench {
namespace {

// The counts in the files a tool wrote in `dir`, one per process: the
// "calls" column of the "total" line of strace -c, callgrind's "summary:" line.
std::optional<double> counted(const std::filesystem::path& dir) {
    std::optional<double> total;
    for (const auto& file : std::filesystem::directory_iterator(dir)) {
        std::ifstream in(file.path());
        for (std::string line, percent, seconds, usecs_per_call, calls; std::getline(in, line);) {
            if (line.starts_with("summary: ")) total = total.value_or(0) + std::stod(line.substr(9));
            else if (line.ends_with(" total") && std::istringstream(line) >> percent >> seconds >> usecs_per_call >> calls)
                total = total.value_or(0) + std::stod(calls);
        }
    }
    return total;
}

// One request, riding on the handshake's last ACK (TCP_DEFER_ACCEPT on a client
// socket holds it back for data): no server accepts before its request is
// there, which would now and then cost it a read and a wait more.
bool one_request(int port) {
    workshop::socket_fd fd(::socket(AF_INET, SOCK_STREAM, 0));
#if defined(TCP_DEFER_ACCEPT)
    int seconds = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &seconds, sizeof seconds);
#endif
    sockaddr_in addr = workshop::loopback(port);
    return ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
           workshop::send_all(fd.get(), request) && !workshop::read_to_end(fd.get()).bytes.empty();
}

// What one request costs under `tool` (writing to the directory its words name
// "{out}"): the server under it for no request and for `requests`, so start-up
// and shutdown cancel out; each run ends with SIGTERM (std::runtime_error if not).
std::optional<double> per_request(const row& r, int requests, const std::filesystem::path& dir,
                                  std::vector<std::string> tool) {
    std::string tool_name = std::filesystem::path(tool[0]).filename().string();
    auto count = [&](int n) -> std::optional<double> {  // for n requests
        auto out = dir / (r.name + "-" + tool_name + "-" + std::to_string(n));
        std::filesystem::remove_all(out);
        std::filesystem::create_directories(out);
        std::vector<std::string> command;
        for (const auto& word : tool) command.push_back(workshop::replace_all(word, "{out}", out.string()));
        auto server = start(r, command);
        for (int i = 0; i < n; ++i)
            if (!one_request(server->port())) return std::nullopt;
        // Let the server finish the connection it is on (in the run without
        // requests: the probe that saw it accept), so both runs count it.
        std::this_thread::sleep_for(200ms);
        ::kill(server->pid(), SIGTERM);
        if (!server->wait(2s) && server->running()) {
            server->stop(SIGKILL);
            throw std::runtime_error("under " + tool_name + " it did not stop within 2 s of SIGTERM");
        }
        return counted(out);
    };
    auto none = count(0), all = count(requests);
    return none && all ? std::optional((*all - *none) / requests) : std::nullopt;
}

}  // namespace

void measure_costs(benchmark::State& state, const row& r, const settings& config) {
    auto dir = config.out_dir / "costs";
    auto strace = workshop::find_program("strace"), valgrind = workshop::find_program("valgrind");
    std::optional<double> syscalls, instructions;
    std::string note = !strace     ? "strace is not installed (a Linux tool)"
                       : !valgrind ? "valgrind is not installed (not on macOS)" : "";
    for (auto _ : state) {
        try {
            // -c counts, -f follows threads and children; with -o, only -I2
            // lets SIGTERM end strace and its server, the summary written.
            if (strace)
                syscalls = per_request(r, config.cost_requests, dir,
                                       {strace->string(), "-c", "-f", "-I2", "-o", "{out}/summary"});
            // Callgrind counts every thread and writes when SIGTERM ends it;
            // --trace-children follows a launcher that execs its server.
            if (valgrind)
                instructions = per_request(r, config.cost_requests, dir, {valgrind->string(), "--tool=callgrind",
                                           "--trace-children=yes", "--callgrind-out-file={out}/%p"});
        } catch (const std::exception& e) {
            note = std::string("could not run it under a tool: ") + e.what();
        }
    }
    if (note.empty()) note = !syscalls ? "strace wrote no count" : !instructions ? "callgrind wrote no count" : "";
    std::replace_if(note.begin(), note.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    state.SetLabel(note);
    state.counters["syscalls_per_req"] = syscalls.value_or(-1);  // -1: not counted; the label says why
    state.counters["instructions_per_req"] = instructions.value_or(-1);
}

// wrk's requests per second, or this client's, against a fresh server.
void check_client(benchmark::State& state, row& r, bool wrk, const settings& config) {
    auto server = start_window(state, r, wrk ? "wrk" : "this client");
    if (!server) return;
    int clients = scenarios[1].clients;
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(config.client_check.length);
    std::optional<benchmark::Counter> rps;
    for (auto _ : state) {
        if (!wrk) {
            auto load = run_load(server->port(), clients, seconds, r.answer.size());
            rps = {double(load.completed), benchmark::Counter::kIsRate};  // over the window's real time
        } else if (auto program = workshop::find_program("wrk")) {
            int threads = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, clients);
            std::vector<std::string> args = {"-t" + std::to_string(threads), "-c" + std::to_string(clients),
                                             "-d" + std::to_string(seconds.count()) + "s", "-H", "Connection: close",
                                             "http://127.0.0.1:" + std::to_string(server->port()) + "/"};
            auto result = workshop::run_command(*program, args, seconds + 30s);
            auto at = result.out.find("Requests/sec:");
            if (result.exit_code == 0 && at != std::string::npos) rps = std::stod(result.out.substr(at + 13));
        }
    }
    if (!rps) return state.SkipWithError("wrk is not installed or failed");
    state.counters["req_per_s"] = *rps;
}

}  // namespace bench
