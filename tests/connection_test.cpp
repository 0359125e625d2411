// How a stage treats connections that do not go as planned.
#include "stages.hpp"
#include "support/client.hpp"

#include <catch2/catch_test_macros.hpp>
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

// Requests are sent on a batch of connections before any answer is read, so
// each request is sure to sit in the server's receive queue when it closes.
TEST_CASE("how a connection ends: clean end of stream, or a reset (stage 01's lesson)",
          "[clean-eof]") {
    auto server = start_server();
    int resets = 0, connections = 0;
    for (int batch = 0; batch < 4; ++batch) {
        std::vector<socket_fd> fds;
        for (int i = 0; i < 10; ++i) {
            fds.push_back(connect_to(server->port()));
            REQUIRE(send_all(fds.back().get(), simple_get));
        }
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
        CHECK(resets > 0);
    }
}
