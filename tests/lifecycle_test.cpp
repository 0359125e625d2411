// Clients that hold a connection without sending, and how a stage stops.
#include "stages.hpp"
#include "support/client.hpp"

#include <catch2/catch_test_macros.hpp>
#include <csignal>
#include <thread>

using namespace workshop;

namespace {

using clock = std::chrono::steady_clock;

double seconds_since(clock::time_point start) {
    return std::chrono::duration<double>(clock::now() - start).count();
}

}  // namespace

// Stage 01 never reads, so it cannot be stalled; 02 reads and so waits for
// the silent client as long as it stays; 03 gives up after --read-timeout;
// 04 and later serve the next at once and drop the silent one after it.
TEST_CASE("a silent client and the next one", "[stall]") {
    const stage& s = current_stage();
    auto server = start_server(read_timeout_args(s, 1.0));
    socket_fd silent = connect_to(server->port());
    REQUIRE(silent.get() >= 0);
    std::this_thread::sleep_for(100ms);  // let the server take the silent one first

    auto start = clock::now();
    socket_fd next = connect_to(server->port());
    REQUIRE(send_all(next.get(), simple_get));
    if (s.reads_request && !s.has_read_timeout && !s.concurrent) {
        reply blocked = read_to_end(next.get(), 1500ms);
        CHECK(blocked.end == ending::timeout);  // the lesson: everyone waits
        CHECK(blocked.bytes.empty());
        silent = socket_fd();  // the silent client leaves...
        reply r = read_to_end(next.get());
        CHECK(r.bytes == golden_response());  // ...and the queue moves again
        return;
    }
    reply r = read_to_end(next.get());
    double waited = seconds_since(start);
    CHECK(r.bytes == golden_response());
    if (s.has_read_timeout && !s.concurrent) {
        CHECK(waited >= 0.5);  // held up by the silent client...
        CHECK(waited < 5.0);   // ...for about the 1 s timeout, not for ever (generous bound)
        // The silent client was dropped without an answer.
        CHECK(read_to_end(silent.get(), 1s).bytes.empty());
    } else {
        CHECK(waited < 5.0);  // not held up (generous bound for a loaded machine)
        if (s.has_read_timeout) {
            // Not held for ever either: dropped unanswered once its 1 s is up.
            reply dropped = read_to_end(silent.get(), 5s);
            CHECK(dropped.end != ending::timeout);
            CHECK(dropped.bytes.empty());
        }
    }
}

TEST_CASE("SIGTERM", "[graceful-shutdown]") {
    const stage& s = current_stage();
    auto server = start_server();
    if (!s.graceful_shutdown) {
        // No handler: the default action ends the process at once.
        CHECK_FALSE(server->stop(SIGTERM).has_value());
        return;
    }
    SECTION("with no client, exits 0") {
        CHECK(server->stop(SIGTERM) == 0);
    }
    SECTION("finishes the connection in hand, then exits 0") {
        socket_fd client = connect_to(server->port());
        REQUIRE(send_all(client.get(), "GET / HTTP/1.1\r\n"));
        std::this_thread::sleep_for(300ms);  // the server is now reading this client
        ::kill(server->pid(), SIGTERM);
        REQUIRE(send_all(client.get(), "Host: localhost\r\n\r\n"));
        reply r = read_to_end(client.get());
        CHECK(r.end == ending::eof);
        // A server that keeps connections says Connection: close on the last
        // answer once it has seen the signal; on a busy machine the request
        // may be answered first, and the connection then closed idle.
        if (current_stage().keeps_alive && r.bytes == kept_response()) SUCCEED("answered before the signal was seen");
        else CHECK(r.bytes == golden_response());
        // Just wait: a second SIGTERM while it exits may meet the default action.
        CHECK(server->wait() == 0);
        CHECK(connect_to(server->port()).get() < 0);  // nobody listens any more
    }
}
