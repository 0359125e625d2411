// 04-threaded: the same server, serving many clients at once.
//
// The idea: a slow client should cost one thread, not everyone's time.
// Stages 02 and 03 serve one connection at a time, so a client that sends
// nothing holds up all the others (03: until its read timeout).
//
// The model: a pool of workers, each serving one connection at a time with
// stage 03's serve_connection (blocking reads, a read timeout). Idle workers
// all wait in accept on the listening socket: the kernel's queue of
// connections is the work queue, and it wakes one worker per client, so no
// connection passes from one thread to another. The last idle worker to
// take a client starts another, so one is always in accept; up to
// --max-connections serve, and the one waiting past that answers 503 at
// once: nothing queues without bound, and memory stays bounded. Workers are
// reused, so a steady load pays no thread start per connection.
//
// What the alternatives would cost:
//  - one thread accepting and handing each connection to the workers
//    through a queue of our own: a poll before each accept, then a lock, a
//    wake-up and a wait per connection: 9 system calls per request against
//    5 to 6 here (strace -f -c, one client at a time), and about 30 µs of
//    server CPU per request against 21 here (32 clients on two cores);
//  - one leader at a time polling the listener and the stop pipe, the
//    others waiting their turn (leader/followers): it stops the same way
//    everywhere, but handing the lead on is again a wake-up per connection;
//  - a new thread per connection: a thread start (tens of microseconds) on
//    every request;
//  - a fixed pool of N workers: N silent clients stall it just like 02;
//  - one event loop (poll/epoll/kqueue, as nginx does): no thread per
//    client at all, but every read and write becomes a state machine, and
//    the code no longer reads like the stages before it.
// The cost of this one: a thread (its stack reserved, mostly untouched) per
// connection in service, and a stop that differs by system: a worker
// blocked in accept wakes only for a client, so the pool fails the listener
// under it, with shutdown on Linux and close on macOS (worker_pool.cpp).
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
    "  defaults: port 8585, read timeout 5, at most 1024 connections, 8 workers started up front";

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
