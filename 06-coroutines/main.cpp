// 06-coroutines: the same event loop, written as straight-line code.
//
// The idea: stage 05 turned each connection into a state machine, because
// a function that waits would block the whole loop. A C++20 coroutine can
// wait without blocking: `co_await` suspends it and returns to the loop,
// which resumes it when the socket is ready. So serve_connection below
// reads top to bottom like 03's, and still no thread is spent per client.
// Asio (standalone, header-only) supplies the loop and the awaitable calls.
//
// Where 05's state went. A coroutine's frame, on the heap, holds its locals
// and the point to resume at: the socket, the deadline timer, the head's
// buffer and how much of it is used. 05's `state` is now *where* the code
// stands; `used`, `whole` and the unsent answer are plain locals; the read
// timeout is a timer raced against the wait. Only a silent client is kept
// as 05 keeps it, as data: a socket in its loop's list, oldest first, with
// one pending wait. Its coroutine starts once bytes arrive, because a
// suspended coroutine costs its frame and its caller's (about 1.9 KiB here,
// 4.6 KiB with the timer race) where the list entry costs about 650 bytes.
//
// What Asio does underneath: the same epoll (kqueue on macOS) as 05, edge-
// triggered, every socket added to it when accepted; the same non-blocking
// reads and writes, and speculative ones: a write or an accept is tried at
// once and goes to the poller only if it would block. Timers sit in a heap
// per loop, behind one timerfd on Linux.
//
// What the abstraction costs, measured against 05 on this machine (two
// shared cores; tutorial.md says how): about 10 system calls per request
// instead of 5 (Asio adds each socket to epoll, re-arms it for the wait and
// removes it before close, and sets it non-blocking with ioctl where 05
// uses accept4); about 12,600 user-space instructions per request instead
// of 4,500 (allocations, locks, the frames); 3 to 8% more CPU time per
// request, most of which is the kernel's either way; 650 bytes per silent
// connection instead of 130; and 2 to 12% fewer requests per second.
//
// Why one io_context per core, each run by one thread, rather than one
// io_context run by every thread: everything of a connection stays on one
// thread, so the silent list needs no lock or strand, as in 05. Measured
// (32 clients, five rounds each): one shared io_context used less CPU per
// request in the first form of this stage, without the silent list
// (24 against 29 microseconds); with the list behind a strand it did no
// better than this (18,500 against 19,100 requests per second).
//
// Read main(), then listen_for_clients, wait_for_first_bytes and
// serve_connection.
//
//   ./workshop serve 06            (or: build/bin/06-coroutines --port 8585)
//   curl -i http://localhost:8585/
#include "http.hpp"
#include "options.hpp"
#include "server.hpp"

#include <asio.hpp>
#include <asio/experimental/awaitable_operators.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <sys/resource.h>
#include <system_error>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using std::chrono::milliseconds;
using clock = std::chrono::steady_clock;

constexpr const char* program = "06-coroutines";
constexpr const char* usage =
    "usage: 06-coroutines [--port N] [--read-timeout SECONDS] [--max-connections N] [--loops N]\n"
    "  defaults: port 8585, read timeout 5, at most 15000 connections, one loop per core";

// One byte over the largest head, to tell "exactly 8 KiB" from "too large" (as 03).
constexpr std::size_t head_buffer_size = raii_http::max_head_size + 1;
// After answering, how long to keep reading what a client still sends (as 03).
constexpr auto linger_time = std::chrono::seconds(1);
// The answer waits in the socket for our FIN and leaves with it, in one
// segment, as in 05 (its connection.cpp says more). Linux's MSG_MORE;
// macOS has none, and there the FIN follows the answer in a segment of its own.
#if defined(MSG_MORE)
constexpr int fin_follows = MSG_MORE;
#else
constexpr int fin_follows = 0;
#endif
// Out of descriptors: how long a loop stops accepting before trying again.
constexpr auto accept_pause = milliseconds(100);

// Reads what has arrived without waiting: bytes read, 0 at the end of the
// stream, -1 on an error, nullopt when nothing has arrived yet.
std::optional<long> read_now(tcp::socket& client, std::span<char> free) {
    asio::error_code error;
    std::size_t n = client.read_some(asio::buffer(free.data(), free.size()), error);
    if (!error) return static_cast<long>(n);
    if (error == asio::error::would_block) return std::nullopt;
    return error == asio::error::eof ? 0 : -1;
}

// tutorial: readable-before
// Waits until the client has sent something, or the deadline passes (false).
// `||` starts both waits and, when one finishes, cancels the other.
awaitable<bool> readable_before(tcp::socket& client, asio::steady_timer& deadline) {
    using namespace asio::experimental::awaitable_operators;
    auto first = co_await (client.async_wait(tcp::socket::wait_read, use_awaitable) ||
                           deadline.async_wait(use_awaitable));
    co_return first.index() == 0;
}
// end tutorial

// Our FIN first: shutdown sends it, with the answer MSG_MORE held back
// (close alone, with bytes of the client's unread, would send a reset and
// drop that answer). Then, unless the client sent exactly one whole
// request, read and drop what comes until it closes, for a while: closing
// with unread bytes makes the kernel send a reset, which can destroy the
// answer before the client reads it (03's close_after_answer).
awaitable<void> close_after_answer(tcp::socket& client, bool request_was_whole) {
    asio::error_code ignored;
    client.shutdown(tcp::socket::shutdown_send, ignored);
    if (request_was_whole) co_return;  // closed at once by the caller
    asio::steady_timer deadline(client.get_executor(), linger_time);
    char sink[512];  // only lingering connections have it (their frame is their own)
    for (;;) {
        auto n = read_now(client, sink);
        if (!n && co_await readable_before(client, deadline)) continue;
        if (!n || *n <= 0) co_return;  // the deadline passed, the stream ended, or an error
    }
}

// tutorial: serve-connection
awaitable<void> serve_connection(tcp::socket client, clock::time_point head_deadline) {
    asio::steady_timer deadline(client.get_executor(), head_deadline);  // for the whole head
    // Its first bytes have arrived (wait_for_first_bytes saw to that).
    std::unique_ptr<char[]> buffer(new char[head_buffer_size]);  // not zeroed: written before read
    std::size_t used = 0;
    raii_http::parse_result parsed;
    while (parsed.status == raii_http::parse_status::incomplete && used < head_buffer_size) {
        auto n = read_now(client, std::span(buffer.get(), head_buffer_size).subspan(used));
        if (!n) {  // nothing more yet: wait for it, up to the deadline
            // A client that sends nothing complete in time is dropped, unanswered.
            if (!co_await readable_before(client, deadline)) co_return;
            continue;
        }
        if (*n <= 0) break;  // client stopped sending: answer what we have...
        used += static_cast<std::size_t>(*n);
        parsed = raii_http::parse_request(std::string_view(buffer.get(), used));
    }
    if (used == 0) co_return;  // ...unless it sent nothing at all: just close
    bool whole = parsed.status == raii_http::parse_status::complete && used == parsed.head_size;
    std::string answer = raii_http::respond_to(parsed).serialize();
    buffer.reset();  // answered: the head's memory goes (parsed's views with it)
    asio::error_code error;  // async_write takes no flags: each async_send may send part
    for (asio::const_buffer rest = asio::buffer(answer); rest.size() > 0 && !error;)
        rest += co_await client.async_send(rest, fin_follows, asio::redirect_error(use_awaitable, error));
    if (!error) co_await close_after_answer(client, whole);
}  // the socket closes here
// end tutorial

// Over --max-connections: say so and hang up. What the client has sent so
// far is read first (and dropped), as 05 does, so that the 503 is not
// destroyed by a reset.
void refuse(tcp::socket client) {
    static const std::string page = raii_http::error_page(503, "Service Unavailable").serialize();
    asio::error_code ignored;
    client.non_blocking(true, ignored);
    char sink[512];
    client.read_some(asio::buffer(sink), ignored);
    client.write_some(asio::buffer(page), ignored);  // fits a fresh socket's buffer
}

struct limits {
    milliseconds read_timeout;
    long max_connections;
    std::atomic<long> open_connections = 0;  // every loop's, for the whole process
};

// A client that has not sent a byte yet.
struct silent_client {
    tcp::socket socket;
    clock::time_point deadline;  // for its whole head, counted from accept
};

// One event loop: an io_context run by one thread, its own acceptor on the
// shared listening socket, and its silent clients. Nothing but a stop is
// ever handed from one loop to another.
struct loop {
    asio::io_context context{1};  // one thread runs it
    tcp::acceptor acceptor{context};
    std::list<silent_client> silent;      // oldest first, as the read timeout is one fixed length
    asio::steady_timer sweeper{context};  // wakes when the oldest silent client is due
};

// tutorial: wait-for-first-bytes
// A silent client costs a list entry and one pending wait, not a coroutine:
// its coroutine, frame and buffer, starts once its first bytes arrive
// (nginx, too, allocates a request only once data arrives). Waiting before
// reading also spares a read that would find nothing.
void wait_for_first_bytes(loop& l, tcp::socket client, limits& shared) {
    // So that read_now never blocks the loop. Set before the first wait,
    // which would otherwise make the socket non-blocking inside Asio with
    // a system call of its own, while read_now would still block.
    asio::error_code ignored;
    client.non_blocking(true, ignored);
    auto at = l.silent.insert(l.silent.end(), {std::move(client), clock::now() + shared.read_timeout});
    at->socket.async_wait(tcp::socket::wait_read, [&l, at, &shared](asio::error_code error) {
        silent_client c = std::move(*at);
        l.silent.erase(at);
        if (error) {  // closed by sweep_silent_clients: dropped unanswered, as in 03
            shared.open_connections.fetch_sub(1);
            return;
        }
        co_spawn(l.context, serve_connection(std::move(c.socket), c.deadline),
                 [&shared](std::exception_ptr) { shared.open_connections.fetch_sub(1); });
    });
}

// Closes the silent clients whose deadline passed (their waits then end with
// an error). The list is in deadline order, so the first still open is the
// next one due; with none, no deadline can come sooner than a read timeout.
awaitable<void> sweep_silent_clients(loop& l, milliseconds read_timeout) {
    auto is_open = [](const silent_client& c) { return c.socket.is_open(); };
    while (l.acceptor.is_open() || !l.silent.empty()) {
        auto next = std::find_if(l.silent.begin(), l.silent.end(), is_open);
        l.sweeper.expires_at(next == l.silent.end() ? clock::now() + read_timeout : next->deadline);
        asio::error_code error;
        co_await l.sweeper.async_wait(asio::redirect_error(use_awaitable, error));  // cancelled: stopping
        for (auto& c : l.silent) {
            if (c.deadline > clock::now()) break;
            c.socket.close(error);
        }
    }
}
// end tutorial

// tutorial: listen-for-clients
// One per loop: accepts until the acceptor is closed (SIGINT, SIGTERM),
// handing each client to wait_for_first_bytes on this loop.
awaitable<void> listen_for_clients(loop& l, limits& shared) {
    auto executor = co_await asio::this_coro::executor;
    tcp::acceptor& acceptor = l.acceptor;
    for (;;) {
        asio::error_code error;
        tcp::socket client = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, error));
        if (error == asio::error::operation_aborted || !acceptor.is_open()) co_return;  // stopping
        if (error == asio::error::no_descriptors || error == std::errc::too_many_files_open_in_system) {
            // Out of descriptors: the client stays queued and the next accept
            // would fail at once, so pause instead of spinning.
            asio::steady_timer pause(executor, accept_pause);
            co_await pause.async_wait(asio::redirect_error(use_awaitable, error));
            continue;
        }
        if (error) continue;  // that client left already
        if (shared.open_connections.fetch_add(1) >= shared.max_connections) {
            shared.open_connections.fetch_sub(1);
            refuse(std::move(client));
            continue;
        }
        wait_for_first_bytes(l, std::move(client), shared);
    }
}
// end tutorial

// Every connection is a descriptor, and the usual soft limit (1024) is far
// below --max-connections: raise it as far as the hard limit allows (as 05).
void raise_descriptor_limit(long max_connections, long loops) {
    // Besides the clients: stdio, a listener, a poller, a timer and a wake-up
    // descriptor per loop, the signal pipe, and one refused client per loop.
    auto wanted = static_cast<rlim_t>(max_connections + 5 * loops + 16);
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

}  // namespace

int main(int argc, char* argv[]) {
    struct {
        int port = 8585;
        milliseconds read_timeout{5000};
        long max_connections = 15'000;  // as 05: 10,000 idle clients leave room for active ones
    } opts;
    long loop_count = std::max(1u, std::thread::hardware_concurrency());
    raii_http::command_line options(program, usage);
    options.port("--port", opts.port);
    options.seconds("--read-timeout", opts.read_timeout);
    options.count("--max-connections", opts.max_connections, 1, 1'000'000, "a connection limit");
    options.count("--loops", loop_count, 1, 1024, "a number of loops");
    if (auto exit_code = options.parse(argc, argv)) return *exit_code;

    // A client that leaves before our write would otherwise kill the server
    // with SIGPIPE; ignored, the write just fails with EPIPE (as 05).
    std::signal(SIGPIPE, SIG_IGN);
    raise_descriptor_limit(opts.max_connections, loop_count);

    // tutorial: start-loops
    try {
        limits shared{.read_timeout = opts.read_timeout, .max_connections = opts.max_connections};
        std::vector<std::unique_ptr<loop>> loops;
        for (long i = 0; i < loop_count; ++i) loops.push_back(std::make_unique<loop>());

        // SIGINT, SIGTERM: every loop closes its acceptor (the last close
        // closes the listening socket) and runs until its clients are done.
        // Set up before listening, like every loop's poller, so that a
        // client never meets a server still opening descriptors.
        asio::signal_set signals(loops.front()->context, SIGINT, SIGTERM);
        signals.async_wait([&loops](asio::error_code, int) {
            for (auto& l : loops)
                asio::post(l->context, [&l = *l] {
                    l.acceptor.close();
                    l.sweeper.cancel();  // to see that it may end
                });
        });

        // One listening socket (03's listen_on: a taken port is an error),
        // and in each loop an acceptor on a duplicate of its descriptor:
        // every loop's poller watches it, and whichever loop wakes first
        // accepts. The same on Linux and macOS.
        raii_http::unique_fd listener = raii_http::listen_on(opts.port, SOMAXCONN);
        for (auto& l : loops) {
            int fd = &l == &loops.back() ? listener.release() : ::dup(listener.get());
            if (fd < 0) throw std::system_error(errno, std::system_category(), "dup");
            l->acceptor.assign(tcp::v4(), fd);
            co_spawn(l->context, listen_for_clients(*l, shared), asio::detached);
            co_spawn(l->context, sweep_silent_clients(*l, opts.read_timeout), asio::detached);
        }

        std::vector<std::thread> threads;
        for (auto& l : loops) threads.emplace_back([&context = l->context] { context.run(); });
        for (auto& t : threads) t.join();
        return 0;
    } catch (const std::system_error& e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
        return 1;
    }
    // end tutorial
}
