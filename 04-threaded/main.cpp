// 04-threaded: the same server, serving many clients at once.
//
// The idea: a slow client should cost one thread, not everyone's time. A
// pool of workers all block in accept on the listening socket, so the
// kernel hands each client to one of them, and each serves it with stage
// 03's serve_connection. The pool grows while every worker is busy, up to
// --max-connections (one more is answered 503), and on Linux shrinks back
// to --threads once the extra workers sit idle (macOS's accept cannot time
// out, so there they stay). Read worker_pool.cpp next.
//
//   ./workshop serve 04            (or: build/bin/04-threaded --port 8585)
//   curl -i http://localhost:8585/
#include "connection_limit.hpp"
#include "options.hpp"
#include "server.hpp"
#include "worker_pool.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>

namespace {

constexpr const char* program = "04-threaded";
constexpr const char* usage =
    "usage: 04-threaded [--port N] [--read-timeout SECONDS] [--max-connections N] [--threads N]\n"
    "  defaults: port 8585, read timeout 5, at most 1024 connections, a pool of at least 8 workers";

// Blocks until SIGINT or SIGTERM: their handler writes a byte to this pipe.
void wait_for_stop(const raii_http::stop_signal& stop) {
    char byte;
    while (::read(stop.fd(), &byte, 1) < 0 && errno == EINTR) {
    }
}

}  // namespace

int main(int argc, char* argv[]) {
    int port = 8585;
    std::chrono::milliseconds read_timeout = std::chrono::seconds(5);
    long max_connections = 1024, threads = 8;
    raii_http::command_line options(program, usage);
    options.port("--port", port);
    options.seconds("--read-timeout", read_timeout);
    options.count("--max-connections", max_connections, 1, 1'000'000, "a connection limit");
    options.count("--threads", threads, 1, 100'000, "a thread count");
    if (auto exit_code = options.parse(argc, argv)) return *exit_code;

    std::signal(SIGPIPE, SIG_IGN);
    // Besides the clients: stdio, the listener, the stop pipe, a refused client.
    raii_http::raise_descriptor_limit(program, max_connections, 16);

    // tutorial: main-try
    try {
        raii_http::stop_signal stop;  // SIGINT, SIGTERM: stop accepting, finish in-flight, exit 0
        // A deep backlog: bursts of clients wait in the kernel, not in SYN retries.
        threaded::worker_pool pool(raii_http::listen_on(port, SOMAXCONN), static_cast<std::size_t>(threads),
                                   static_cast<std::size_t>(max_connections), read_timeout);
        wait_for_stop(stop);  // the workers accept and serve meanwhile
        return 0;  // the pool's destructor stops accepting, finishes what is in flight, joins
    } catch (const std::system_error& e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
        return 1;
    }
    // end tutorial
}
