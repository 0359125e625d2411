// How a stage treats connections that do not go as planned.
#include "stages.hpp"
#include "support/client.hpp"

#include <catch2/catch_test_macros.hpp>
#include <csignal>
#include <vector>

using namespace workshop;

TEST_CASE("a client that resets before reading does not stop the server", "[client-reset]") {
    auto server = start_server();
    for (int i = 0; i < 10; ++i) {
        socket_fd fd = connect_to(server->port());
        REQUIRE(fd.get() >= 0);
        send_all(fd.get(), simple_get);
        reset_connection(std::move(fd));
    }
    CHECK(exchange(server->port()).bytes == golden_response());
    CHECK(server->running());
}

// Each batch of connections is made, and its requests sent, while the server
// is stopped (SIGSTOP; the kernel still completes the handshakes), so every
// request is sure to sit in the server's receive queue before it is accepted.
// Otherwise a server that never reads could close before a request arrived,
// and end that connection cleanly.
TEST_CASE("how a connection ends: clean end of stream, or a reset (stage 01's lesson)",
          "[clean-eof]") {
    auto server = start_server();
    int resets = 0, connections = 0;
    for (int batch = 0; batch < 4; ++batch) {
        std::vector<socket_fd> fds;
        REQUIRE(::kill(server->pid(), SIGSTOP) == 0);
        for (int i = 0; i < 10; ++i) {  // within the listen backlog of 16
            fds.push_back(connect_to(server->port()));
            REQUIRE(send_all(fds.back().get(), simple_get));
        }
        REQUIRE(::kill(server->pid(), SIGCONT) == 0);
        for (auto& fd : fds) {
            reply r = read_to_end(fd.get());
            INFO("connection " << connections << " ended with " << to_string(r.end));
            REQUIRE(r.bytes == golden_response());  // the whole answer arrives either way
            REQUIRE(r.end != ending::timeout);
            resets += r.end == ending::reset;
            ++connections;
        }
    }
    if (current_stage().reads_request) {
        CHECK(resets == 0);  // 40 of 40 clean
    } else {
        // Closing with the request unread makes the kernel send a reset.
        CHECK(resets == connections);
    }
}
