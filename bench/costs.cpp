// Measuring, counted rather than timed: one request's system calls (strace)
// and user-space instructions (callgrind), every thread and exec'd program
// included. And the client check: wrk and ours in turns against one server.
#include "bench.hpp"

#include <algorithm>
#include <csignal>
#include <fstream>
#include <netinet/tcp.h>
#include <ranges>
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
           workshop::send_all(fd.get(), workshop::simple_get) && !workshop::read_to_end(fd.get()).bytes.empty();
}

// What one request costs under `tool` (writing to the directory its words name "{out}"): the server under it
// for no request and under `load` (which returns the requests answered), so start-up and shutdown cancel
// out; each run ends with SIGTERM (std::runtime_error if not).
template <class Load>
std::optional<double> per_request(const row& r, const std::filesystem::path& dir, const std::vector<std::string>& tool, Load load) {
    std::string tool_name = std::filesystem::path(tool[0]).filename().string();
    double requests = 0;
    auto count = [&](bool loaded) {
        auto out = dir / (r.name + (loaded ? "" : "-none"));
        std::filesystem::remove_all(out);
        std::filesystem::create_directories(out);
        std::vector<std::string> command;
        for (const auto& word : tool) command.push_back(workshop::replace_all(word, "{out}", out.string()));
        auto server = start(r, command);
        if (loaded) requests = double(load(server->port()));
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
    auto none = count(false), all = count(true);
    return none && all && requests > 0 ? std::optional((*all - *none) / requests) : std::nullopt;
}

}  // namespace

void measure_costs(benchmark::State& state, const row& r, const settings& config) {
    auto dir = config.out_dir / "costs";
    auto strace = workshop::find_program("strace"), valgrind = workshop::find_program("valgrind");
    std::optional<double> syscalls, kept, pipelined, instructions;
    std::string note = !strace     ? "strace is not installed (a Linux tool)"
                       : !valgrind ? "valgrind is not installed (not on macOS)" : "";
    for (auto _ : state) {
        try {
            // -c counts, -f follows threads and children; with -o, only -I2
            // lets SIGTERM end strace and its server, the summary written.
            std::vector<std::string> under_strace = {strace ? strace->string() : "", "-c", "-f", "-I2", "-o", "{out}/summary"};
            auto one_by_one = [&](int port) {  // all answered, or none counted
                return std::ranges::all_of(std::views::iota(0, config.cost_requests), [&](int) { return one_request(port); }) ? config.cost_requests : 0; };
            // wrk's 32 kept connections, as in the kept-alive scenarios (bench.hpp).
            auto wrk = [&](int depth) { return [&, depth](int port) { return run_wrk(port, 32, depth, config.cost_window).completed; }; };
            if (strace) {
                syscalls = per_request(r, dir / "strace", under_strace, one_by_one);
                kept = per_request(r, dir / "strace-kept", under_strace, wrk(scenarios[3].depth));
                pipelined = per_request(r, dir / "strace-pipelined", under_strace, wrk(scenarios[4].depth));
            }
            // Callgrind counts every thread and writes when SIGTERM ends it;
            // --trace-children follows a launcher that execs its server.
            if (valgrind)
                instructions = per_request(r, dir / "callgrind", {valgrind->string(), "--tool=callgrind", "--trace-children=yes",
                                           "--callgrind-out-file={out}/%p"}, one_by_one);
        } catch (const std::exception& e) {
            note = std::string("could not run it under a tool: ") + e.what();
        }
    }
    if (note.empty()) note = !syscalls ? "strace wrote no count" : !instructions ? "callgrind wrote no count" : "";
    std::replace_if(note.begin(), note.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    state.SetLabel(note);
    state.counters["syscalls_per_req"] = syscalls.value_or(-1);  // -1: not counted; the label says why
    state.counters["kept_syscalls_per_req"] = kept.value_or(-1);
    state.counters["pipelined_syscalls_per_req"] = pipelined.value_or(-1);
    state.counters["instructions_per_req"] = instructions.value_or(-1);
}

// wrk's requests per second, or this client's, against a fresh server.
void check_client(benchmark::State& state, row& r, bool wrk, const settings& config) {
    auto server = start_window(state, r, wrk ? "wrk" : "this client");
    if (!server) return;
    int clients = scenarios[1].clients;
    auto length = config.client_check.length;
    for (auto _ : state) try {
        state.counters["req_per_s"] = (wrk ? run_wrk(server->port(), clients, 1, length, true) : run_load(server->port(), clients, length, r.answer.size())).rate();
    } catch (const std::runtime_error& e) { state.SkipWithError(e.what()); }
}

}  // namespace bench
