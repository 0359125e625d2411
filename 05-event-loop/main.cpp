// 05-event-loop: the same server, with no thread per connection.
//
// The idea: a connection that is waiting costs a few dozen bytes of
// bookkeeping, not a thread. Each of a few threads (one per core, --loops)
// runs an event loop: it asks the kernel's poller (epoll on Linux, kqueue
// on macOS and the BSDs) which of its sockets are ready, and does only the
// reads and writes that cannot block. Each connection is a small state
// machine (connection.hpp) that remembers where it was between events.
// Requests are answered byte for byte as in 03 and 04, by 03's parser.
//
// Read main.cpp, then event_loop.cpp, connection.cpp, deadline_list.hpp,
// and poller_epoll.cpp beside poller_kqueue.cpp.
//
//   ./workshop serve 05            (or: build/bin/05-event-loop --port 8585)
//   curl -i http://localhost:8585/
#include "event_loop.hpp"
#include "options.hpp"
#include "server.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <memory>
#include <sys/resource.h>
#include <sys/socket.h>
#include <system_error>
#include <thread>
#include <vector>

namespace {

constexpr const char* program = "05-event-loop";
constexpr const char* usage =
    "usage: 05-event-loop [--port N] [--read-timeout SECONDS] [--max-connections N] [--loops N]\n"
    "  defaults: port 8585, read timeout 5, at most 15000 connections, one loop per core";

// tutorial: descriptor-limit
// Every connection is a descriptor, and the usual soft limit (1024) is far
// below --max-connections: raise it as far as the hard limit allows.
void raise_descriptor_limit(long max_connections, long loops) {
    // Besides the clients: stdio, the listener, the stop pipe, a poller per
    // loop, and one refused client per loop at a time.
    auto wanted = static_cast<rlim_t>(max_connections + 3 * loops + 16);
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) < 0 || limit.rlim_cur >= wanted) return;
    rlim_t raised = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
    limit.rlim_cur = std::max(limit.rlim_cur, raised);
    ::setrlimit(RLIMIT_NOFILE, &limit);  // macOS may refuse over OPEN_MAX; then the check below says so
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < wanted)
        std::fprintf(stderr, "%s: descriptor limit %llu, below the %llu that %ld connections need\n",
                     program, static_cast<unsigned long long>(limit.rlim_cur),
                     static_cast<unsigned long long>(wanted), max_connections);
}
// end tutorial

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
    raii_http::options opts;
    opts.max_connections = 15'000;  // 10,000 idle clients, and room beside them
    if (auto exit_code = raii_http::parse_command_line(
            argc, argv, program, usage, {"--port", "--read-timeout", "--max-connections", "--loops"}, opts))
        return *exit_code;
    long loops = opts.loops > 0 ? opts.loops : std::max(1u, std::thread::hardware_concurrency());

    // A client that leaves before our write would otherwise kill the server
    // with SIGPIPE; ignored, write just fails with EPIPE. (Linux could pass
    // MSG_NOSIGNAL to each send, macOS set SO_NOSIGPIPE on each socket:
    // ignoring the signal once works on both.)
    std::signal(SIGPIPE, SIG_IGN);
    raise_descriptor_limit(opts.max_connections, loops);

    // tutorial: start-loops
    try {
        raii_http::stop_signal stop;  // SIGINT, SIGTERM: stop accepting, finish in-flight, exit 0
        evented::shared_state shared;
        shared.stop_fd = stop.fd();
        shared.max_connections = opts.max_connections;
        shared.read_timeout = opts.read_timeout;
        // Every descriptor of the loops exists before the first client can
        // connect, so a client never sees the server half started.
        std::vector<std::unique_ptr<evented::event_loop>> event_loops;
        for (long i = 0; i < loops; ++i) event_loops.push_back(std::make_unique<evented::event_loop>(shared));

        // One listener, in every loop's poller. (Linux's SO_REUSEPORT could
        // give each loop a listener of its own, but it would also let a
        // second server bind the same port without an error, and on macOS
        // it does not spread connections between the sockets at all.)
        shared.listener = raii_http::listen_on(opts.port, SOMAXCONN);
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
