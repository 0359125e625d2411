// Thousands of connections that send nothing, and a fresh client. Stage 05
// holds them as bookkeeping and answers the fresh one at once; the other
// stages show what silence costs them instead (the lesson of each).
#include "stages.hpp"
#include "support/client.hpp"

#include <algorithm>
#include <catch2/catch_test_macros.hpp>
#include <thread>
#include <vector>

using namespace workshop;

namespace {

using clock = std::chrono::steady_clock;

double seconds_since(clock::time_point start) {
    return std::chrono::duration<double>(clock::now() - start).count();
}

// The sanitizer runtimes make each connection far heavier; fewer there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr int many = 1000;
#else
constexpr int many = 5000;
#endif

// Raises this process's soft descriptor limit to hold `count` connections
// (the servers started afterwards inherit it); SKIPs, saying why, if the
// hard limit is too low.
void allow_descriptors(int count) {
    auto wanted = static_cast<rlim_t>(count + 256);  // and the harness's own
    rlim_t now = raise_descriptor_limit(wanted);
    if (now < wanted)
        SKIP("holding " << count << " connections needs " << wanted << " descriptors; the limit could be raised only to "
                        << now << " (raise the hard limit, e.g. ulimit -Hn, to run this test)");
}

// Waits (up to 20 s, generous for a loaded machine) until the server holds
// at least `count` descriptors, so that it has accepted every silent
// client; false if it never did. Where neither /proc nor libproc answers,
// a pause, taken as held.
bool wait_until_held(stage_server& server, std::size_t count) {
    auto deadline = clock::now() + 20s;
    while (open_descriptors(server.pid()).value_or(count) < count && clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    std::this_thread::sleep_for(200ms);
    return open_descriptors(server.pid()).value_or(count) >= count;
}

}  // namespace

TEST_CASE("many silent connections and a fresh client", "[many-idle]") {
    const stage& s = current_stage();

    if (s.cheap_idle) {
        allow_descriptors(many);
        auto server = start_server();
        auto silent = silent_clients(server->port(), many, 30s);
        // Held, not dropped or turned away: a server that closes silent
        // connections soon after accepting them would answer the fresh
        // client at once too, having given up the point of the test.
        bool held = wait_until_held(*server, many);
        INFO("the server holds " << open_descriptors(server->pid()).value_or(0) << " descriptors with "
                                 << many << " silent connections open");
        CHECK(held);
        auto start = clock::now();
        reply r = exchange(server->port());
        double waited = seconds_since(start);
        UNSCOPED_INFO("answered in " << waited << " s with " << many << " silent connections held");
        CHECK(r.bytes == golden_response());
        CHECK(waited < 2.0);  // at once; generous for a loaded machine
        CHECK(server->running());
        return;
    }

    if (s.concurrent) {
        // 04's lesson: every silent client holds a thread, so a limit keeps
        // their number bounded, and the one over it is told 503.
        auto server = start_server({"--max-connections", "64"});
        std::this_thread::sleep_for(300ms);  // the readiness probe's connection is done
        auto silent = silent_clients(server->port(), 64, 30s);
        std::this_thread::sleep_for(500ms);  // all 64 taken in
        socket_fd over = connect_to(server->port());
        CHECK(read_to_end(over.get()).bytes.starts_with("HTTP/1.1 503 Service Unavailable\r\n"));
        return;
    }

    if (!s.reads_request) {
        // 01 never reads: it answers each connection in turn, silent or not,
        // so silent clients cannot hold it up (they get the page unasked).
        auto server = start_server();
        auto silent = silent_clients(server->port(), 10, 30s);  // within its backlog of 16
        auto start = clock::now();
        reply r = exchange(server->port());
        CHECK(r.bytes == golden_response());
        CHECK(seconds_since(start) < 5.0);
        for (auto& fd : silent) CHECK(read_to_end(fd.get(), 5s).bytes == golden_response());
        return;
    }

    if (!s.has_read_timeout) {
        // 02 stalls: it waits on the first silent client for as long as it stays.
        auto server = start_server();
        auto silent = silent_clients(server->port(), 4, 30s);
        std::this_thread::sleep_for(100ms);
        socket_fd fresh = connect_to(server->port());
        REQUIRE(send_all(fresh.get(), simple_get));
        CHECK(read_to_end(fresh.get(), 1500ms).end == ending::timeout);
        silent.clear();  // they leave, and the queue moves again
        CHECK(read_to_end(fresh.get()).bytes == golden_response());
        return;
    }

    // 03 serves one connection at a time: each silent client ahead of the
    // fresh one costs a whole read timeout (here 0.5 s, two of them).
    auto server = start_server(read_timeout_args(s, 0.5));
    auto silent = silent_clients(server->port(), 2, 30s);
    std::this_thread::sleep_for(100ms);
    auto start = clock::now();
    reply r = exchange(server->port());
    double waited = seconds_since(start);
    UNSCOPED_INFO("answered after " << waited << " s behind 2 silent clients");
    CHECK(r.bytes == golden_response());
    CHECK(waited >= 0.6);  // about 2 × 0.5 s less the 0.1 s head start...
    CHECK(waited < 5.0);   // ...and not for ever (generous bound)
}
