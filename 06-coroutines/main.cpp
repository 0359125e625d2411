// 06-coroutines: stage 05's event loops, with each connection written as
// straight-line code again.
//
// The idea: a C++20 coroutine can wait without blocking its thread.
// `co_await` suspends it and returns to the event loop, which resumes it
// when its socket is ready. So each connection is one coroutine, from accept
// to close, that reads like 03's serve_connection, and still no thread is
// spent per client. Standalone Asio supplies the loops and the awaitable
// operations; 03's raii_http library parses and answers.
//
// Read main(), then listen_for_clients, serve_connection and read_before.
//
//   ./workshop serve 06            (or: build/bin/06-coroutines --port 8585)
//   curl -i http://localhost:8585/
#include "connection_limit.hpp"
#include "http.hpp"
#include "options.hpp"
#include "request_reader.hpp"
#include "server.hpp"

#include <asio.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using std::chrono::milliseconds;

constexpr const char* program = "06-coroutines";
constexpr const char* usage =
    "usage: 06-coroutines [--port N] [--read-timeout SECONDS] [--max-connections N] [--loops N]\n"
    "  defaults: port 8585, read timeout 5, at most 15000 connections, one loop per core";

// The answer waits in the socket for our FIN and leaves with it, in one
// segment, as in 05 (its connection.cpp says why). That is Linux's MSG_MORE;
// macOS has no such flag, and there the FIN follows in a segment of its own.
#if defined(MSG_MORE)
constexpr int fin_follows = MSG_MORE;
#else
constexpr int fin_follows = 0;
#endif

// tutorial: read-before
// Reads what the client sends next, unless the deadline passes first: bytes
// read, 0 at the end of the stream (or on an error), nullopt once the
// deadline has passed. What has arrived is read at once, as 03's read_some
// does: under load the request is often there already, and then nothing
// waits. Only an empty socket waits, in a race: a parallel group starts the
// read and the timer's wait, and when one of them finishes (wait_for_one)
// cancels the other.
awaitable<std::optional<std::size_t>> read_before(tcp::socket& client, std::span<char> free,
                                                  asio::steady_timer& deadline) {
    asio::error_code error;
    std::size_t n = client.read_some(asio::buffer(free.data(), free.size()), error);
    if (error != asio::error::would_block) co_return error ? 0 : n;
    using namespace asio::experimental;
    auto [order, read_error, read, timer_error] =
        co_await make_parallel_group(client.async_read_some(asio::buffer(free.data(), free.size()), deferred),
                                     deadline.async_wait(deferred))
            .async_wait(wait_for_one(), use_awaitable);
    if (order[0] == 1) co_return std::nullopt;  // the timer's wait finished first
    co_return read_error ? 0 : read;
}
// end tutorial

// Sends the whole answer, as 03's write_all: what the socket takes now at
// once, and only the rest, if the socket is full, waits for room (each
// async_send may send part; async_write takes no flags). True once sent.
awaitable<bool> send_all(tcp::socket& client, std::string_view answer) {
    asio::error_code error;
    asio::const_buffer rest = asio::buffer(answer);
    rest += client.send(rest, fin_follows, error);
    while (rest.size() > 0 && (!error || error == asio::error::would_block))
        rest += co_await client.async_send(rest, fin_follows, asio::redirect_error(use_awaitable, error));
    co_return rest.size() == 0;
}

// Our FIN first: shutdown sends it, with the answer MSG_MORE held back.
// Then, unless the client sent exactly one whole request and nothing after
// it, read and drop what comes until it closes, for a while: closing with
// unread bytes makes the kernel send a reset, which can destroy the answer
// before the client reads it (03's close_after_answer). As in 05, what the
// reads brought decides: no call asks the socket again.
awaitable<void> close_after_answer(tcp::socket& client, bool request_was_whole) {
    asio::error_code ignored;
    client.shutdown(tcp::socket::shutdown_send, ignored);
    if (request_was_whole) co_return;  // closed at once by the caller
    asio::steady_timer deadline(client.get_executor(), raii_http::linger_time);
    std::array<char, 512> sink;
    for (;;) {
        auto n = co_await read_before(client, sink, deadline);
        if (!n || *n == 0) co_return;  // the deadline passed, or the client is done
        // read_before waits only for an empty socket, so a client that keeps
        // sending is stopped here: by the clock, and by letting the loop's
        // other clients run between reads.
        if (deadline.expiry() <= std::chrono::steady_clock::now()) co_return;
        co_await asio::post(client.get_executor(), use_awaitable);
    }
}

// tutorial: serve-connection
// One client, from accept to close: 03's serve_connection, with co_await
// where 03 blocked. Everything here lives in the coroutine's frame.
awaitable<void> serve_connection(tcp::socket client, milliseconds read_timeout) {
    client.non_blocking(true);  // a read or send takes what it can now, and never blocks the loop
    asio::steady_timer deadline(client.get_executor(), read_timeout);  // for the whole head
    std::array<char, raii_http::head_buffer_size> buffer;
    raii_http::request_reader reader(buffer);
    raii_http::request_head head;
    while (head.next == raii_http::next_step::read_more) {
        std::span<char> room = reader.room();
        auto n = co_await read_before(client, room, deadline);
        // A client that sends nothing complete in time is dropped, unanswered.
        if (!n) co_return;
        // The client stopped sending (or failed): answer what it sent.
        head = *n > 0 ? reader.received(room.first(*n)) : reader.ended();
    }
    if (head.next == raii_http::next_step::close) co_return;  // it sent nothing at all
    if (co_await send_all(client, raii_http::answer_bytes(head.parsed)))
        co_await close_after_answer(client, head.whole);
}  // the socket closes here
// end tutorial

struct limits {
    milliseconds read_timeout;
    long max_connections;
    std::atomic<long> open_connections = 0;  // every loop's, for the whole process
};

// tutorial: listen-for-clients
// One per loop: accepts until the acceptor is closed (SIGINT, SIGTERM), and
// starts each client's coroutine on this loop, where it stays to the end.
awaitable<void> listen_for_clients(tcp::acceptor& acceptor, limits& shared) {
    auto executor = co_await asio::this_coro::executor;
    for (;;) {
        asio::error_code error;
        tcp::socket client = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, error));
        if (error == asio::error::operation_aborted || !acceptor.is_open()) co_return;  // stopping
        if (error == asio::error::no_descriptors || error == std::errc::too_many_files_open_in_system) {
            // Out of descriptors: the client stays queued and the next accept
            // would fail at once, so pause instead of spinning.
            asio::steady_timer pause(executor, raii_http::accept_pause);
            co_await pause.async_wait(asio::redirect_error(use_awaitable, error));
            continue;
        }
        if (error) continue;  // that client left already
        if (shared.open_connections.fetch_add(1) >= shared.max_connections) {
            shared.open_connections.fetch_sub(1);
            raii_http::refuse(raii_http::unique_fd(client.release()));  // 503
            continue;
        }
        co_spawn(executor, serve_connection(std::move(client), shared.read_timeout),
                 [&shared](std::exception_ptr) { shared.open_connections.fetch_sub(1); });
    }
}
// end tutorial

// One event loop: an io_context run by one thread, with its own acceptor on
// the shared listening socket. Nothing but a stop is ever handed from one
// loop to another.
struct loop {
    asio::io_context context{1};  // one thread runs it
    tcp::acceptor acceptor{context};
};

}  // namespace

int main(int argc, char* argv[]) {
    int port = 8585;
    milliseconds read_timeout = std::chrono::seconds(5);
    long max_connections = 15'000;  // as 05: 10,000 idle clients leave room for active ones
    long loop_count = std::max(1u, std::thread::hardware_concurrency());
    raii_http::command_line options(program, usage);
    options.port("--port", port);
    options.seconds("--read-timeout", read_timeout);
    options.count("--max-connections", max_connections, 1, 1'000'000, "a connection limit");
    options.count("--loops", loop_count, 1, 1024, "a number of loops");
    if (auto exit_code = options.parse(argc, argv)) return *exit_code;

    // A client that leaves before our write would otherwise kill the server
    // with SIGPIPE; ignored, the write just fails with EPIPE (as 05).
    std::signal(SIGPIPE, SIG_IGN);
    // Besides the clients: stdio, a listener, a poller, a timer and a wake-up
    // descriptor per loop, the signal pipe, and one refused client per loop.
    raii_http::raise_descriptor_limit(program, max_connections, 5 * loop_count + 16);

    // tutorial: start-loops
    try {
        limits shared{.read_timeout = read_timeout, .max_connections = max_connections};
        std::vector<std::unique_ptr<loop>> loops;
        for (long i = 0; i < loop_count; ++i) loops.push_back(std::make_unique<loop>());

        // SIGINT, SIGTERM: every loop closes its acceptor (the last close
        // closes the listening socket) and runs until its clients are done.
        // Set up before listening, so that a client never meets a server
        // still opening descriptors.
        asio::signal_set signals(loops.front()->context, SIGINT, SIGTERM);
        signals.async_wait([&loops](asio::error_code, int) {
            for (auto& l : loops) asio::post(l->context, [&acceptor = l->acceptor] { acceptor.close(); });
        });

        // One listening socket (03's listen_on: a taken port is an error),
        // and in each loop an acceptor on a duplicate of its descriptor:
        // every loop's poller watches it, and whichever loop wakes first
        // accepts. The same on Linux and macOS.
        raii_http::unique_fd listener = raii_http::listen_on(port, SOMAXCONN);
        for (auto& l : loops) {
            int fd = &l == &loops.back() ? listener.release() : ::dup(listener.get());
            if (fd < 0) throw std::system_error(errno, std::system_category(), "dup");
            l->acceptor.assign(tcp::v4(), fd);
            co_spawn(l->context, listen_for_clients(l->acceptor, shared), asio::detached);
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
