// What a stage does with the request it is sent: odd deliveries, odd sizes,
// and requests other than GET /.
#include "stages.hpp"
#include "support/client.hpp"

#include <catch2/catch_test_macros.hpp>
#include <thread>

using namespace workshop;

namespace {

std::string error_page(const std::string& status_line, const std::string& extra_header = "") {
    std::string title = status_line.substr(std::string("HTTP/1.1 ").size());
    std::string body = "<!doctype html><html><body><h1>" + title + "</h1></body></html>\n";
    return status_line + "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n" + extra_header + "Connection: close\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("a request delivered one byte at a time", "[trickled-request]") {
    auto server = start_server();
    socket_fd fd = connect_to(server->port());
    REQUIRE(fd.get() >= 0);
    for (char c : simple_get) {
        // Stage 01 answers without reading, so its later sends may fail.
        send_all(fd.get(), std::string_view(&c, 1));
        std::this_thread::sleep_for(2ms);
    }
    reply r = read_to_end(fd.get());
    INFO("answered " << first_line(r.bytes) << "\n" << visible(r.bytes));
    CHECK(r.bytes == golden_response());
    CHECK(server->running());
}

TEST_CASE("a 64 KiB request does not crash the server", "[large-request]") {
    auto server = start_server();
    std::string huge = "GET / HTTP/1.1\r\nHost: localhost\r\nX-Filler: " +
                       std::string(64 * 1024, 'a') + "\r\n\r\n";
    reply r = exchange(server->port(), huge);
    INFO("answered " << first_line(r.bytes));
    if (current_stage().parses_request) {
        CHECK(r.bytes == error_page("HTTP/1.1 431 Request Header Fields Too Large"));
    } else {
        // Stages 01 and 02 answer every request alike, however large.
        CHECK(r.bytes == golden_response());
    }
    CHECK(server->running());
    CHECK(exchange(server->port()).bytes == golden_response());
}

TEST_CASE("each request gets its own status code", "[status-codes]") {
    auto server = start_server();
    struct exchange_case {
        std::string request, answer;
    };
    const exchange_case cases[] = {
        {"GET / HTTP/1.0\r\n\r\n", golden_response()},
        {"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", head_of(golden_response())},
        {"GET /missing HTTP/1.1\r\nHost: x\r\n\r\n", error_page("HTTP/1.1 404 Not Found")},
        {"HEAD /missing HTTP/1.1\r\nHost: x\r\n\r\n", head_of(error_page("HTTP/1.1 404 Not Found"))},
        {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
         error_page("HTTP/1.1 405 Method Not Allowed", "Allow: GET, HEAD\r\n")},
        {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", error_page("HTTP/1.1 505 HTTP Version Not Supported")},
        {"GET /  HTTP/1.1\r\nHost: x\r\n\r\n", error_page("HTTP/1.1 400 Bad Request")},
        {"GET / HTTP/1.1\r\n\r\n", error_page("HTTP/1.1 400 Bad Request")},  // no Host
        {"hello\r\n\r\n", error_page("HTTP/1.1 400 Bad Request")},
        {"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", error_page("HTTP/1.1 400 Bad Request")},
        {std::string("GET /\0 HTTP/1.1\r\nHost: x\r\n\r\n", 28), error_page("HTTP/1.1 400 Bad Request")},
        {"GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(9000, 'x') + "\r\n\r\n",
         error_page("HTTP/1.1 431 Request Header Fields Too Large")},
        {"GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", error_page("HTTP/1.1 414 URI Too Long")},
        {"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", error_page("HTTP/1.1 501 Not Implemented")},
    };
    for (const auto& c : cases) {
        reply r = exchange(server->port(), c.request);
        INFO("asked " << first_line(c.request) << ", answered " << first_line(r.bytes) << "\nrequest:\n"
                      << visible(c.request.substr(0, 60)) << "\nreceived:\n" << visible(r.bytes));
        if (current_stage().parses_request) {
            CHECK(r.bytes == c.answer);
            CHECK(r.end == ending::eof);
        } else {
            // The lesson of stages 01 and 02: every request gets the page.
            CHECK(r.bytes == golden_response());
        }
    }
    CHECK(server->running());
}
