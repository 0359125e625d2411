// 08-keep-alive: the same event loops, with connections that stay open.
//
// The idea: the protocol's own speed-up. Every stage so far pays for a TCP
// connection per request; an HTTP/1.1 connection persists unless the
// client says Connection: close (RFC 9112 §9.3), so here a connection
// serves request after request, and the requests a client pipelines (sends
// without waiting for the answers) are all answered, in order, in one send.
// A kept connection is bounded: an idle timeout between requests, a number
// of requests, and no reading while its answers wait to be sent.
//
// Read main.cpp, then connection.cpp (beside 05's), event_loop.cpp, and 03's
// request_reader.cpp (next()). The poller and the deadline list are 05's.
//
//   ./workshop serve 08            (or: build/bin/08-keep-alive --port 8585)
//   curl -v http://localhost:8585/ http://localhost:8585/
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

constexpr const char* program = "08-keep-alive";
constexpr const char* usage =
    "usage: 08-keep-alive [--port N] [--read-timeout SECONDS] [--keep-alive-timeout SECONDS]\n"
    "                     [--max-requests N] [--max-connections N] [--loops N]\n"
    "  defaults: port 8585, read timeout 5, keep-alive timeout 5, at most 1000 requests\n"
    "  a connection, at most 15000 connections, one loop per core";

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
    evented::keep_alive_limits keep_alive;  // 5 s idle, 1000 requests
    long max_connections = 15'000;  // 10,000 idle clients, and room beside them
    long loops = std::max(1u, std::thread::hardware_concurrency());
    raii_http::command_line options(program, usage);
    options.port("--port", port);
    options.seconds("--read-timeout", read_timeout);
    options.seconds("--keep-alive-timeout", keep_alive.timeout);
    options.count("--max-requests", keep_alive.max_requests, 1, 1'000'000'000, "a number of requests");
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

    try {
        raii_http::stop_signal stop;  // SIGINT, SIGTERM: stop accepting, answer what came, exit 0
        evented::shared_state shared;
        shared.stop_fd = stop.fd();
        shared.max_connections = max_connections;
        shared.read_timeout = read_timeout;
        // Every descriptor of the loops exists before the first client can
        // connect, so a client never sees the server half started.
        std::vector<std::unique_ptr<evented::event_loop>> event_loops;
        for (long i = 0; i < loops; ++i) event_loops.push_back(std::make_unique<evented::event_loop>(shared, keep_alive));

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
}
