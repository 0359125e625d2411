// 05-event-loop: the same server, with no thread per connection.
//
// The idea: a connection that is waiting costs some bookkeeping, not a
// thread. Each of a few threads (one per core, --loops) runs an event loop:
// it asks the kernel's poller (epoll on Linux, kqueue on macOS and the BSDs)
// which of its sockets are ready, and does only the reads and writes that
// cannot block. Each connection is a small state
// machine (connection.hpp) that remembers where it was between events.
// Requests are answered byte for byte as in 03 and 04, by 03's parser.
//
// Read main.cpp, then event_loop.cpp, connection.cpp, deadline_list.hpp,
// and poller_epoll.cpp beside poller_kqueue.cpp.
//
//   ./workshop serve 05            (or: build/bin/05-event-loop --port 8585)
//   curl -i http://localhost:8585/
#include "connection_limit.hpp"
#include "event_loop.hpp"
#include "options.hpp"
#include "server.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <memory>
#include <sys/socket.h>
#include <system_error>
#include <thread>
#include <vector>

namespace {

constexpr const char* program = "05-event-loop";
constexpr const char* usage =
    "usage: 05-event-loop [--port N] [--read-timeout SECONDS] [--max-connections N] [--loops N]\n"
    "  defaults: port 8585, read timeout 5, at most 15000 connections, one loop per core";

// A loop whose poller fails (epoll_wait, kevent) meets a bug, not a
// client: say so and end the process, rather than serve on with a loop gone.
void run_or_exit(evented::event_loop* loop) {
    try {
        loop->run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
        std::_Exit(1);
    }
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

    // A client that leaves before our write would otherwise kill the server
    // with SIGPIPE; ignored, write just fails with EPIPE. (Linux could pass
    // MSG_NOSIGNAL to each send, macOS set SO_NOSIGPIPE on each socket:
    // ignoring the signal once works on both.)
    std::signal(SIGPIPE, SIG_IGN);
    // Besides the clients: stdio, the listener, the stop pipe, a poller per
    // loop, and one refused client per loop at a time, with room to spare.
    raii_http::raise_descriptor_limit(program, max_connections, 3 * loops + 16);

    // tutorial: start-loops
    try {
        raii_http::stop_signal stop;  // SIGINT, SIGTERM: stop accepting, finish in-flight, exit 0
        evented::shared_state shared;
        shared.stop_fd = stop.fd();
        shared.max_connections = max_connections;
        shared.read_timeout = read_timeout;
        // Every descriptor of the loops exists before the first client can
        // connect, so a client never sees the server half started.
        std::vector<std::unique_ptr<evented::event_loop>> event_loops;
        for (long i = 0; i < loops; ++i) event_loops.push_back(std::make_unique<evented::event_loop>(shared));

        // One listener, in every loop's poller. (Linux's SO_REUSEPORT could
        // give each loop a listener of its own, but it would also let a
        // second server bind the same port without an error, and on macOS
        // it does not spread connections between the sockets at all.)
        shared.listener = raii_http::listen_on(port, SOMAXCONN);
        if (::fcntl(shared.listener.get(), F_SETFL, O_NONBLOCK) < 0)
            throw std::system_error(errno, std::system_category(), "fcntl O_NONBLOCK");
        std::vector<std::thread> threads;
        for (auto& loop : event_loops) threads.emplace_back(run_or_exit, loop.get());
        for (auto& t : threads) t.join();
        return 0;
    } catch (const std::system_error& e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
        return 1;
    }
    // end tutorial
}
