// How a stage treats connections that do not go as planned.
#include "stages.hpp"
#include "support/client.hpp"

#include <catch2/catch_test_macros.hpp>

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
