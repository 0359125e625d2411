// RFC 9112's rules for a server's request parser, case by case (the table
// in support/rfc9112_cases.cpp): each stage that parses answers each case
// with its status and a clean FIN; stages 01 and 02 answer their one page
// to everything (their lesson). nginx is held to the same table once, in
// a test of its own (rfc9112_nginx_test.cpp).
#include "stages.hpp"
#include "support/client.hpp"
#include "support/rfc9112_cases.hpp"

#include <catch2/catch_test_macros.hpp>
#include <cstring>
#include <sys/socket.h>
#include <thread>

using namespace workshop;

TEST_CASE("RFC 9112: each case answered with its status and a clean FIN", "[rfc9112]") {
    auto server = start_server();
    bool parses = current_stage().parses_request;
    for (const auto& c : rfc9112_cases()) {
        // Told the request is over, 02 answers LF-ended lines too (it reads
        // up to a blank line of CRLFs, which they never give).
        reply r = parses ? exchange(server->port(), c.request) : send_and_half_close(server->port(), c.request);
        INFO("RFC " << c.section << ": " << c.name << ", due " << c.status);
        INFO("received (" << to_string(r.end) << "):\n" << visible(r.bytes.substr(0, 200)));
        if (parses) {
            CHECK(status_of(r.bytes) == c.status);
            CHECK(r.end == ending::eof);
        } else if (!(r.end == ending::reset && r.bytes.empty())) {
            // The lesson of 01 and 02: one page for every request (01 may
            // reset before it arrives, closing with the request unread).
            CHECK(r.bytes == golden_response());
        }
    }
    CHECK(server->running());
}

// §9.6: a server that closes while the client may still be sending first
// shuts down its side and reads on, so that the client's bytes do not meet
// a closed socket, whose reset can destroy the answer. The body announced
// here arrives after the answer has gone.
TEST_CASE("RFC 9112 §9.6: a body that arrives after the answer, then a clean FIN", "[rfc9112]") {
    auto server = start_server();
    socket_fd fd = connect_to(server->port());
    REQUIRE(send_all(fd.get(), "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\n"));
    std::this_thread::sleep_for(300ms);
    send_all(fd.get(), "hello");  // fails where the server has reset the connection already
    std::this_thread::sleep_for(300ms);  // a reset, if one comes, has arrived
    int error = 0;  // a reset that came after the server's FIN shows here, not in the reading
    socklen_t size = sizeof error;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &size);
    ::shutdown(fd.get(), SHUT_WR);
    reply r = read_to_end(fd.get());
    INFO("the connection ended with " << to_string(r.end) << " after \"" << first_line(r.bytes) << "\", error "
                                      << std::strerror(error));
    if (current_stage().parses_request) {
        CHECK(status_of(r.bytes) == 405);
        CHECK(r.end == ending::eof);
        CHECK(error == 0);
    } else if (!(r.end == ending::reset && r.bytes.empty())) {
        CHECK(r.bytes == golden_response());  // 01 and 02: their one page, if it survives
    }
}

// §9.3: whether a connection persists after its answer. A server that
// keeps connections (08) answers a request that may persist and reads the
// next one on the same connection; 01 to 07 close after every answer,
// which the RFC allows any server (§9.6), saying Connection: close. A
// server graded from outside the build may do either, as its first
// answer says.
TEST_CASE("RFC 9112 §9.3: persistence, case by case", "[rfc9112][persistence]") {
    auto server = start_server();
    for (const auto& c : persistence_cases()) {
        INFO("RFC 9112 §9.3: " << c.name);
        socket_fd fd = connect_to(server->port());
        REQUIRE(send_all(fd.get(), c.request));
        // Kept: the answer (HTTP/1.0's says keep-alive), then the
        // connection still serves; the next request asks to close.
        const std::string& kept = c.request.find("HTTP/1.0") != std::string::npos ? keep_alive_response()
                                                                                   : kept_response();
        bool may_keep = c.persists && (current_stage().keeps_alive || !current_stage_listed());
        std::string first;
        if (may_keep) {
            first = read_exactly(fd.get(), kept.size());
            if (current_stage_listed()) CHECK(first == kept);
            if (first == kept) {
                first.clear();
                REQUIRE(send_all(fd.get(), simple_get));
            }
        }
        reply r = read_to_end(fd.get());
        r.bytes = first + r.bytes;
        INFO("received (" << to_string(r.end) << "):\n" << visible(r.bytes.substr(0, 200)));
        if (!current_stage().reads_request && r.end == ending::reset && r.bytes.empty()) continue;  // 01
        CHECK(r.bytes == golden_response());
        if (current_stage().reads_request) CHECK(r.end == ending::eof);
    }
}

// §9.6: a request that says Connection: close is the last one the server
// answers on that connection, whatever comes after it.
TEST_CASE("RFC 9112 §9.6: nothing is answered after Connection: close", "[rfc9112][persistence]") {
    auto server = start_server();
    reply r = exchange(server->port(), simple_get + kept_get);
    INFO("received (" << to_string(r.end) << "):\n" << visible(r.bytes.substr(0, 400)));
    if (!current_stage().reads_request && r.end == ending::reset && r.bytes.empty()) return;  // 01
    CHECK(r.bytes == golden_response());
    if (current_stage().reads_request) CHECK(r.end == ending::eof);
}
