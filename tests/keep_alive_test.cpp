// Keep-alive (RFC 9112 §9.3): a connection that serves request after
// request. Stage 08 keeps HTTP/1.1 connections open, answers pipelined
// requests in order, and bounds a kept connection by time, by count and by
// what waits to be sent. Stages 01 to 07 hold their lesson instead: one
// answer, Connection: close, then the close, whatever the client sends.
#include "stages.hpp"
#include "support/client.hpp"

#include <catch2/catch_test_macros.hpp>
#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <optional>
#include <thread>

using namespace workshop;

namespace {

using clock = std::chrono::steady_clock;

// The lesson of 01 to 07: the first request's answer, with Connection:
// close, then the end of the connection (a reset from a server that does
// not read the request: 01).
void check_one_answer_then_close(const reply& r) {
    INFO("received (" << to_string(r.end) << "):\n" << visible(r.bytes.substr(0, 400)));
    if (!current_stage().reads_request && r.end == ending::reset && r.bytes.empty()) return;
    CHECK(r.bytes == golden_response());
    if (current_stage().reads_request) CHECK(r.end == ending::eof);
    else CHECK(r.end != ending::timeout);
}

const std::string kept_head = "HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n";

}  // namespace

TEST_CASE("two requests on one connection, answered in order", "[keep-alive]") {
    auto server = start_server();
    socket_fd fd = connect_to(server->port());
    REQUIRE(send_all(fd.get(), kept_get));
    if (!current_stage().keeps_alive) return check_one_answer_then_close(read_to_end(fd.get()));
    CHECK(read_exactly(fd.get(), kept_response().size()) == kept_response());
    REQUIRE(send_all(fd.get(), simple_get));  // the second asks to close
    reply r = read_to_end(fd.get());
    CHECK(r.bytes == golden_response());
    CHECK(r.end == ending::eof);
}

TEST_CASE("16 pipelined requests, answered in order byte for byte", "[keep-alive]") {
    auto server = start_server();
    std::string requests, answers;
    for (int i = 0; i < 15; ++i) {
        requests += i % 3 == 1 ? kept_head : kept_get;  // so that the order shows
        answers += i % 3 == 1 ? head_of(kept_response()) : kept_response();
    }
    requests += simple_get;
    answers += golden_response();
    reply r = exchange(server->port(), requests);
    if (!current_stage().keeps_alive) return check_one_answer_then_close(r);
    INFO("received (" << to_string(r.end) << "):\n" << visible(r.bytes.substr(0, 400)));
    CHECK(r.bytes == answers);
    CHECK(r.end == ending::eof);
}

TEST_CASE("Connection: close is answered with the golden bytes, then a FIN", "[keep-alive]") {
    auto server = start_server();
    check_one_answer_then_close(exchange(server->port(), simple_get));
}

TEST_CASE("HTTP/1.0 is closed after one answer; asked to keep alive, 08 says so", "[keep-alive]") {
    auto server = start_server();
    check_one_answer_then_close(exchange(server->port(), "GET / HTTP/1.0\r\n\r\n"));
    socket_fd fd = connect_to(server->port());
    REQUIRE(send_all(fd.get(), "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    if (!current_stage().keeps_alive) return check_one_answer_then_close(read_to_end(fd.get()));
    CHECK(read_exactly(fd.get(), keep_alive_response().size()) == keep_alive_response());
    REQUIRE(send_all(fd.get(), "GET / HTTP/1.0\r\n\r\n"));
    reply r = read_to_end(fd.get());
    CHECK(r.bytes == golden_response());
    CHECK(r.end == ending::eof);
}

TEST_CASE("an idle kept connection ends with a FIN at the keep-alive timeout", "[keep-alive]") {
    bool keeps = current_stage().keeps_alive;
    auto server = keeps ? start_server({"--keep-alive-timeout", "1"}) : start_server();
    socket_fd fd = connect_to(server->port());
    auto start = clock::now();
    REQUIRE(send_all(fd.get(), kept_get));
    reply r = read_to_end(fd.get(), 20s);
    if (!keeps) return check_one_answer_then_close(r);
    double waited = std::chrono::duration<double>(clock::now() - start).count();
    INFO("closed after " << waited << " s");
    CHECK(r.bytes == kept_response());
    CHECK(r.end == ending::eof);
    CHECK(waited >= 0.9);   // not before the timeout
    CHECK(waited < 15.0);   // and not long after it (generous: a loaded machine)
}

TEST_CASE("a body of Content-Length bytes is read past, and the next request answered", "[keep-alive]") {
    auto server = start_server();
    reply r = exchange(server->port(), "GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello" + simple_get);
    if (!current_stage().keeps_alive) return check_one_answer_then_close(r);
    INFO("received (" << to_string(r.end) << "):\n" << visible(r.bytes.substr(0, 400)));
    CHECK(r.bytes == kept_response() + golden_response());  // exactly two 200 answers
    CHECK(r.end == ending::eof);
}

// Back-pressure: a client pipelining request after request and never
// reading its answers. The server stops reading it while its answers wait,
// so its memory stays where it was, and other clients are served at once.
TEST_CASE("a pipelining client that never reads: bounded memory, others served", "[keep-alive]") {
    auto server = start_server();
    std::optional<long> before = resident_kib(server->pid());
    socket_fd greedy(::socket(AF_INET, SOCK_STREAM, 0));
    int small = 4096;  // its receive buffer: the answers back up sooner
    ::setsockopt(greedy.get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in addr = loopback(server->port());
    REQUIRE(::connect(greedy.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    ::fcntl(greedy.get(), F_SETFL, ::fcntl(greedy.get(), F_GETFL) | O_NONBLOCK);
    std::string burst;
    while (burst.size() < 64 * 1024) burst += kept_get;
    // Up to 64 MiB of requests, for at most 3 s, as far as the server takes them.
    std::size_t sent = 0;
    auto until = clock::now() + 3s;
    while (sent < 64u * 1024 * 1024 && clock::now() < until) {
        ssize_t n = ::send(greedy.get(), burst.data(), burst.size(), 0);  // SIGPIPE: ignored by the harness
        if (n > 0) sent += static_cast<std::size_t>(n);
        else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) break;  // closed on us
        else std::this_thread::sleep_for(1ms);
    }
    std::optional<long> after = resident_kib(server->pid());
    INFO(sent << " bytes of requests sent, never read");
    auto start = clock::now();
    CHECK(exchange(server->port(), simple_get, 1s).bytes == golden_response());
    CHECK(clock::now() - start < 1s);
    CHECK(server->running());
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    SKIP("resident size means little under a sanitizer, whose runtime holds freed memory: not compared");
#endif
    if (!server_launcher().empty()) SKIP("resident size under an emulator is the emulator's: not compared");
    if (!before || !after) SKIP("this system does not tell a process's resident size: not compared");
    INFO("resident " << *before << " KiB before, " << *after << " KiB after");
    CHECK(*after - *before <= 32 * 1024);
}
