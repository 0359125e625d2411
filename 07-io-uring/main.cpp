// 07-io-uring: the same server, told of completions instead of readiness.
//
// The idea: in 05 the kernel says which sockets are ready, and the loop
// then makes each call itself. Here the loop queues the calls (accept,
// receive, send, shutdown, close) in a ring it shares with the kernel, and
// the kernel reports each one done in another ring, so one system call
// hands over a whole batch. One accept keeps accepting (multishot); send,
// shutdown and close go in as one linked chain. Linux only (5.19 or later),
// on liburing. Requests are answered byte for byte as in 03 to 05.
//
// Read main.cpp, then event_loop.cpp beside 05's, then connection.cpp.
//
//   ./workshop serve 07            (or: build/bin/07-io-uring --port 8585)
//   curl -i http://localhost:8585/
#include "connection_limit.hpp"
#include "event_loop.hpp"
#include "options.hpp"
#include "server.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <csignal>
#include <fstream>
#include <pthread.h>
#include <memory>
#include <string>
#include <sys/socket.h>
#include <system_error>
#include <thread>
#include <vector>

namespace {

constexpr const char* program = "07-io-uring";
constexpr const char* usage =
    "usage: 07-io-uring [--port N] [--read-timeout SECONDS] [--max-connections N] [--loops N]\n"
    "  defaults: port 8585, read timeout 5, at most 15000 connections, one loop per core";

// A ring that fails (io_uring_enter) meets a bug, not a client: say so and
// end the process, rather than serve on with a loop gone.
void run_or_exit(ring::event_loop* loop) {
    try {
        loop->run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
        std::_Exit(1);
    }
}

// A seccomp filter decides which system calls this process may make
// (/proc/self/status says "Seccomp: 2"): a container's default profile
// (Docker 25 and later, containerd 2.0, Podman) refuses io_uring's three.
bool under_seccomp_filter() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("Seccomp:")) return line.find('2') != std::string::npos;
    return false;
}

}  // namespace

int main(int argc, char* argv[]) {
    int port = 8585;
    std::chrono::milliseconds read_timeout = std::chrono::seconds(5);
    long max_connections = 15'000;  // 10,000 idle clients, and room beside them
    long loops = std::max(1u, std::thread::hardware_concurrency());
    raii_http::command_line options(program, usage);
    options.port("--port", port);
    options.seconds("--read-timeout", read_timeout);
    options.count("--max-connections", max_connections, 1, 1'000'000, "a connection limit");
    options.count("--loops", loops, 1, 1024, "a number of loops");
    if (auto exit_code = options.parse(argc, argv)) return *exit_code;

    // A client that leaves before our send would otherwise kill the server
    // with SIGPIPE; ignored, the send just fails with EPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    // Besides the clients: stdio, the listener, the stop pipe, a ring per
    // loop, and one refused client per loop at a time, with room to spare.
    raii_http::raise_descriptor_limit(program, max_connections, 3 * loops + 16);

    try {
        raii_http::stop_signal stop;  // SIGINT, SIGTERM: stop accepting, finish in-flight, exit 0
        evented::shared_state shared;
        shared.stop_fd = stop.fd();
        shared.max_connections = max_connections;
        shared.read_timeout = read_timeout;
        // Every ring exists before the first client can connect: where
        // io_uring is missing, the server says so before it listens.
        std::vector<std::unique_ptr<ring::event_loop>> event_loops;
        for (long i = 0; i < loops; ++i) event_loops.push_back(std::make_unique<ring::event_loop>(shared));

        // One listener, in every loop's ring; left blocking, as the ring
        // waits for clients itself.
        shared.listener = raii_http::listen_on(port, SOMAXCONN);
        // SIGINT and SIGTERM go to this thread alone: the loops inherit a
        // mask that blocks them. A loop waits inside io_uring_enter, where
        // ThreadSanitizer, which runs a handler only at a call it knows of,
        // would hold the handler back for ever.
        sigset_t stop_signals;
        sigemptyset(&stop_signals);
        sigaddset(&stop_signals, SIGINT);
        sigaddset(&stop_signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
        std::vector<std::thread> threads;
        for (auto& loop : event_loops) threads.emplace_back(run_or_exit, loop.get());
        pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
        for (auto& t : threads) t.join();
        return 0;
    } catch (const ring::ring_unavailable& e) {
        // EPERM without a filter is the host's own choice (the sysctl
        // kernel.io_uring_disabled, Linux 6.6 and later), not a container's.
        if (e.code().value() == EPERM && under_seccomp_filter()) {
            std::fprintf(stderr, "%s: io_uring is not available here (%s): refused by a seccomp filter, as a "
                         "container's default profile does; run the container with --security-opt "
                         "seccomp=unconfined, or a seccomp profile allowing io_uring_setup, io_uring_enter "
                         "and io_uring_register\n", program, e.what());
            return 1;
        }
        std::fprintf(stderr, "%s: io_uring is not available here (%s): this stage needs Linux 5.19 or later, "
                     "with io_uring allowed (not emulated by qemu-user, not disabled by the sysctl kernel.io_uring_disabled)\n",
                     program, e.what());
        return 1;
    } catch (const std::system_error& e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
        return 1;
    }
}
