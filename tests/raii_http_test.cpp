// Stage 03's parser and responses, fed bytes directly: no sockets involved.
#include "http.hpp"
#include "request_reader.hpp"
#include "support/golden.hpp"
#include "support/rfc9112_cases.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <algorithm>
#include <array>
#include <span>
#include <vector>

using namespace raii_http;

namespace {
const std::string valid = "GET /path?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept:  */* \r\n\r\n";
}

TEST_CASE("a complete request becomes a value", "[parser]") {
    parse_result r = parse_request(valid);
    REQUIRE(r.status == parse_status::complete);
    CHECK(r.head_size == valid.size());
    CHECK(r.req.method == "GET");
    CHECK(r.req.target == "/path?q=1");
    CHECK(r.req.path == "/path");  // the page served: the query does not choose it
    CHECK(r.req.version == "HTTP/1.1");
    REQUIRE(r.req.headers.size() == 2);
    CHECK(r.req.headers[0].name == "Host");
    CHECK(r.req.headers[0].value == "example.com");
    CHECK(r.req.headers[1].value == "*/*");  // surrounding white space trimmed
}

TEST_CASE("bytes after the head are not part of it", "[parser]") {
    parse_result r = parse_request(valid + "GET / HTTP/1.1\r\n");
    REQUIRE(r.status == parse_status::complete);
    CHECK(r.head_size == valid.size());
}

TEST_CASE("every prefix of a valid request is incomplete", "[parser]") {
    for (std::size_t n = 0; n < valid.size(); ++n) {
        INFO("prefix of " << n << " bytes");
        CHECK(parse_request(std::string_view(valid).substr(0, n)).status == parse_status::incomplete);
    }
}

TEST_CASE("a request arriving one byte at a time completes exactly at its end", "[parser]") {
    std::string buffer;
    for (char c : valid) {
        CHECK(parse_request(buffer).status == parse_status::incomplete);
        buffer += c;
    }
    CHECK(parse_request(buffer).status == parse_status::complete);
}

TEST_CASE("malformed requests are bad requests", "[parser]") {
    auto bad = GENERATE(as<std::string>{},
        "garbage\r\n\r\n",
        "GET\r\n\r\n",
        "GET /\r\n\r\n",
        "GET / HTTP/1.1 extra\r\n\r\n",
        "GET  / HTTP/1.1\r\n\r\n",
        "GET index.html HTTP/1.1\r\n\r\n",
        "GET / http/1.1\r\n\r\n",
        "GET / HTTP/1.10\r\n\r\n",
        "GET http:/// HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n",
        "G(ET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nno colon\r\n\r\n",
        "GET / HTTP/1.1\r\n: empty name\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
        "GET / HTTP/1.1\nHost: x\n\n\r\n\r\n",
        std::string("GET /\0 HTTP/1.1\r\n\r\n", 19),
        std::string("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", 26));
    INFO(bad);
    CHECK(parse_request(bad).status == parse_status::bad_request);
}

TEST_CASE("a bad request line is rejected before the head ends", "[parser]") {
    CHECK(parse_request("BAD LINE\r\nHost: x\r\n").status == parse_status::bad_request);
    CHECK(parse_request("GET / HTTP/2.0\r\nHost: x\r\n").status == parse_status::version_not_supported);
    CHECK(parse_request("GET / HTTP/1.1\r\nHost: x\r\n").status == parse_status::incomplete);
}

TEST_CASE("the page served depends on the target's path alone", "[parser]") {
    struct row {
        std::string target, path;
    };
    auto r = GENERATE(values<row>({
        {"/", "/"},
        {"/?q=1", "/"},
        {"/missing?q=/", "/missing"},
        {"http://localhost/", "/"},
        {"http://localhost", "/"},
        {"http://localhost?q=1", "/"},
        {"HTTPS://example.com:8585/a?b", "/a"},
    }));
    const std::string request = "GET " + r.target + " HTTP/1.1\r\nHost: x\r\n\r\n";  // parsed's views point into it
    parse_result parsed = parse_request(request);
    INFO(r.target);
    REQUIRE(parsed.status == parse_status::complete);
    CHECK(parsed.req.path == r.path);
}

TEST_CASE("empty lines before the request line are not part of it", "[parser]") {
    const std::string request = "\r\n\r\n" + valid;
    parse_result r = parse_request(request);
    REQUIRE(r.status == parse_status::complete);
    CHECK(r.head_size == request.size());
    CHECK(r.req.method == "GET");
    for (std::size_t n = 0; n < request.size(); ++n) {
        INFO("prefix of " << n << " bytes");
        CHECK(parse_request(std::string_view(request).substr(0, n)).status == parse_status::incomplete);
    }
}

TEST_CASE("a request line longer than the head may be is a target too long", "[parser]") {
    std::string target = "/" + std::string(max_head_size, 'a');
    CHECK(parse_request("GET " + target).status == parse_status::target_too_long);
    CHECK(parse_request("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n").status == parse_status::target_too_long);
    // A long target in a line that fits, and fields past the limit: 431.
    std::string line = "GET /" + std::string(max_head_size / 2, 'a') + " HTTP/1.1\r\n";
    CHECK(parse_request(line + "X: " + std::string(max_head_size / 2, 'x')).status == parse_status::head_too_large);
}

// RFC 9112's cases (support/rfc9112_cases.cpp), on the parser alone: the
// same table the harness sends each stage over a socket.
TEST_CASE("RFC 9112: each case gets the status due", "[parser][rfc9112]") {
    for (const auto& c : workshop::rfc9112_cases()) {
        INFO("RFC " << c.section << ": " << c.name);
        parse_result r = parse_request(c.request);
        CHECK(respond_to(r).status == c.status);
        if (r.status == parse_status::complete) CHECK(r.head_size <= c.request.size());
    }
    CHECK(workshop::rfc9112_cases().size() >= 40);
}

TEST_CASE("a head over 8 KiB is too large, complete or not", "[parser]") {
    std::string filler(max_head_size, 'x');
    CHECK(parse_request("GET / HTTP/1.1\r\nX: " + filler).status == parse_status::head_too_large);
    CHECK(parse_request("GET / HTTP/1.1\r\nX: " + filler + "\r\n\r\n").status ==
          parse_status::head_too_large);
    // Exactly 8 KiB is still allowed.
    std::string head = "GET / HTTP/1.1\r\nHost: x\r\nX: ";
    head += std::string(max_head_size - head.size() - 4, 'x') + "\r\n\r\n";
    REQUIRE(head.size() == max_head_size);
    CHECK(parse_request(head).status == parse_status::complete);
}

TEST_CASE("GET / serialises to the article's 172 bytes", "[responses]") {
    CHECK(respond_to(parse_request("GET / HTTP/1.1\r\nHost: x\r\n\r\n")).serialize() == workshop::golden_response());
}

TEST_CASE("each outcome has its status line and a consistent length", "[responses]") {
    struct row {
        std::string request, status_line;
    };
    auto r = GENERATE(values<row>({
        {"GET /x HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404 Not Found\r\n"},
        {"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 405 Method Not Allowed\r\n"},
        {"nonsense\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n"},
        {"GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n"},  // no Host
        {"GET /" + std::string(9000, 'a'), "HTTP/1.1 414 URI Too Long\r\n"},
        {"GET / HTTP/2.0\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported\r\n"},
        {"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "HTTP/1.1 501 Not Implemented\r\n"},
        {"GET / HTTP/1.1\r\n", "HTTP/1.1 400 Bad Request\r\n"},  // ended early
        {"GET / HTTP/1.1\r\nX: " + std::string(9000, 'x'),
         "HTTP/1.1 431 Request Header Fields Too Large\r\n"},
    }));
    std::string bytes = respond_to(parse_request(r.request)).serialize();
    INFO(bytes);
    CHECK(bytes.starts_with(r.status_line));
    auto body = bytes.substr(bytes.find("\r\n\r\n") + 4);
    CHECK(bytes.find("Content-Length: " + std::to_string(body.size()) + "\r\n") != std::string::npos);
    CHECK(bytes.find("Connection: close\r\n") != std::string::npos);
}

TEST_CASE("405 says which methods are allowed; HEAD has no body", "[responses]") {
    CHECK(respond_to(parse_request("PUT / HTTP/1.1\r\nHost: x\r\n\r\n")).serialize().find("Allow: GET, HEAD\r\n") !=
          std::string::npos);
    std::string head = respond_to(parse_request("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")).serialize();
    CHECK(head == workshop::golden_response().substr(0, head.size()));
    CHECK(head.ends_with("\r\n\r\n"));
}

TEST_CASE("a method is case-sensitive: lowercase get parses, then is not allowed", "[parser]") {
    parse_result r = parse_request("get / HTTP/1.1\r\nHost: x\r\n\r\n");
    REQUIRE(r.status == parse_status::complete);
    CHECK(r.req.method == "get");
    CHECK(respond_to(r).status == 405);
}

TEST_CASE("a bare LF is rejected at once, not waited out", "[parser]") {
    CHECK(parse_request("GET / HTTP/1.1\n").status == parse_status::bad_request);
    CHECK(parse_request("GET / HTTP/1.1\r\nHost: x\n").status == parse_status::bad_request);
}

TEST_CASE("every status answers exactly these bytes", "[responses]") {
    const std::string page_head = "Content-Type: text/html; charset=utf-8\r\n";
    auto page = [](std::string title) {
        return "<!doctype html><html><body><h1>" + title + "</h1></body></html>\n";
    };
    CHECK(respond_to(parse_request("GET /missing HTTP/1.1\r\nHost: x\r\n\r\n")).serialize() ==
          "HTTP/1.1 404 Not Found\r\n" + page_head +
          "Content-Length: 64\r\nConnection: close\r\n\r\n" + page("404 Not Found"));
    CHECK(respond_to(parse_request("HEAD /missing HTTP/1.1\r\nHost: x\r\n\r\n")).serialize() ==
          "HTTP/1.1 404 Not Found\r\n" + page_head + "Content-Length: 64\r\nConnection: close\r\n\r\n");
    CHECK(respond_to(parse_request("POST / HTTP/1.1\r\nHost: x\r\n\r\n")).serialize() ==
          "HTTP/1.1 405 Method Not Allowed\r\n" + page_head +
          "Content-Length: 73\r\nAllow: GET, HEAD\r\nConnection: close\r\n\r\n" +
          page("405 Method Not Allowed"));
    CHECK(respond_to(parse_request("GET / HTTP/1.1\r\n\r\n")).serialize() ==
          "HTTP/1.1 400 Bad Request\r\n" + page_head +
          "Content-Length: 66\r\nConnection: close\r\n\r\n" + page("400 Bad Request"));
    CHECK(respond_to(parse_request("GET /" + std::string(max_head_size, 'a'))).serialize() ==
          "HTTP/1.1 414 URI Too Long\r\n" + page_head +
          "Content-Length: 67\r\nConnection: close\r\n\r\n" + page("414 URI Too Long"));
    CHECK(respond_to(parse_request("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: br\r\n\r\n")).serialize() ==
          "HTTP/1.1 501 Not Implemented\r\n" + page_head +
          "Content-Length: 70\r\nConnection: close\r\n\r\n" + page("501 Not Implemented"));
    CHECK(respond_to(parse_request("GET / HTTP/2.0\r\n\r\n")).serialize() ==
          "HTTP/1.1 505 HTTP Version Not Supported\r\n" + page_head +
          "Content-Length: 81\r\nConnection: close\r\n\r\n" + page("505 HTTP Version Not Supported"));
    CHECK(respond_to(parse_request("GET / HTTP/1.1\r\nX: " + std::string(max_head_size, 'x'))).serialize() ==
          "HTTP/1.1 431 Request Header Fields Too Large\r\n" + page_head +
          "Content-Length: 86\r\nConnection: close\r\n\r\n" + page("431 Request Header Fields Too Large"));
}

TEST_CASE("the prebuilt answers are the responses, byte for byte", "[responses]") {
    auto request = GENERATE(as<std::string>{},
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: x\r\n\r\n", "HEAD /x HTTP/1.1\r\nHost: x\r\n\r\n",
        "DELETE / HTTP/1.1\r\nHost: x\r\n\r\n", "nonsense\r\n\r\n", "GET / HTTP/1.1\r\n",
        "GET / HTTP/2.0\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
        "GET /" + std::string(9000, 'a'), "GET / HTTP/1.1\r\nX: " + std::string(9000, 'x'));
    parse_result parsed = parse_request(request);
    CHECK(answer_bytes(parsed) == respond_to(parsed).serialize());
    CHECK(answer_bytes(parsed).data() == answer_bytes(parse_request(request)).data());  // built once
}

// The request reader: what every stage from 03 on hands its bytes to.
namespace {
const std::string get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

// Receives `bytes` the way a stage does: into the room the reader offers.
request_head receive(request_reader& reader, std::span<char> scratch, std::string_view bytes) {
    std::span<char> room = reader.room(scratch);
    REQUIRE(bytes.size() <= room.size());
    std::copy(bytes.begin(), bytes.end(), room.begin());
    return reader.received(room.first(bytes.size()));
}
}  // namespace

TEST_CASE("a whole head in one piece is judged where it landed", "[reader]") {
    std::vector<char> scratch(head_buffer_size);
    request_reader reader;
    CHECK(reader.room(scratch).data() == scratch.data());
    request_head head = receive(reader, scratch, get);
    REQUIRE(head.next == next_step::answer);
    CHECK(head.parsed.status == parse_status::complete);
    CHECK(head.whole);
    CHECK(head.after.empty());
    CHECK_FALSE(reader.owns_buffer());  // never needed one
}

TEST_CASE("a head in pieces is kept in a buffer of its own until answered", "[reader]") {
    std::vector<char> scratch(head_buffer_size);
    request_reader reader;
    CHECK(receive(reader, scratch, get.substr(0, 10)).next == next_step::read_more);
    CHECK(reader.owns_buffer());
    CHECK(reader.held() == 10);
    CHECK(reader.room(scratch).data() != scratch.data());  // the rest goes after the first piece
    CHECK(reader.room_size() == head_buffer_size - 10);
    request_head head = receive(reader, scratch, get.substr(10));
    REQUIRE(head.next == next_step::answer);
    CHECK(head.parsed.req.path == "/");
    CHECK(head.whole);
    reader.clear();
    CHECK_FALSE(reader.owns_buffer());
    CHECK(reader.held() == 0);
}

TEST_CASE("a head arriving one byte at a time, from anywhere, completes at its end", "[reader]") {
    request_reader reader;
    for (std::size_t i = 0; i + 1 < get.size(); ++i)
        CHECK(reader.received(std::span(get).subspan(i, 1)).next == next_step::read_more);
    request_head head = reader.received(std::span(get).last(1));  // e.g. 07's pool buffer
    REQUIRE(head.next == next_step::answer);
    CHECK(head.whole);
}

TEST_CASE("a lent buffer holds every piece, and no buffer is allocated", "[reader]") {
    std::array<char, head_buffer_size> buffer;
    request_reader reader(buffer);
    CHECK(reader.room().data() == buffer.data());
    CHECK(receive(reader, {}, get.substr(0, 5)).next == next_step::read_more);
    CHECK(reader.room().data() == buffer.data() + 5);
    CHECK(receive(reader, {}, get.substr(5)).whole);
    CHECK_FALSE(reader.owns_buffer());
}

TEST_CASE("bytes after the head are handed on, and the request is not whole", "[reader]") {
    std::vector<char> scratch(head_buffer_size);
    request_reader reader;
    request_head head = receive(reader, scratch, get + "GET /next");
    REQUIRE(head.next == next_step::answer);
    CHECK_FALSE(head.whole);
    CHECK(head.after == "GET /next");
}

TEST_CASE("a request with a body is not whole: its body may still be coming", "[reader]") {
    std::vector<char> scratch(head_buffer_size);
    request_reader reader;
    request_head head = receive(reader, scratch, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n");
    REQUIRE(head.next == next_step::answer);
    CHECK_FALSE(head.whole);
    CHECK(head.after.empty());
}

TEST_CASE("the end of the stream: nothing sent is closed, half a head is answered 400", "[reader]") {
    std::vector<char> scratch(head_buffer_size);
    request_reader silent;
    CHECK(silent.ended().next == next_step::close);
    request_reader half;
    receive(half, scratch, "GET / HTTP/1.1\r\n");
    request_head head = half.ended();
    REQUIRE(head.next == next_step::answer);
    CHECK(respond_to(head.parsed).status == 400);
    CHECK_FALSE(head.whole);
}

TEST_CASE("a head that fills the buffer is answered, not waited for", "[reader]") {
    std::vector<char> scratch(head_buffer_size);
    request_reader reader;
    std::string big = "GET / HTTP/1.1\r\nX: " + std::string(head_buffer_size, 'x');
    CHECK(receive(reader, scratch, std::string_view(big).substr(0, 100)).next == next_step::read_more);
    request_head head = receive(reader, scratch, std::string_view(big).substr(100, reader.room_size()));
    REQUIRE(head.next == next_step::answer);
    CHECK(head.parsed.status == parse_status::head_too_large);
}

// A connection that serves request after request (08): next() after each answer.
TEST_CASE("pipelined requests in one piece are judged one after another, in place", "[reader]") {
    std::vector<char> scratch(head_buffer_size);
    request_reader reader;
    request_head head = receive(reader, scratch, get + "GET /two HTTP/1.1\r\nHost: x\r\n\r\n" + get);
    REQUIRE(head.next == next_step::answer);
    CHECK(head.parsed.req.path == "/");
    CHECK_FALSE(head.whole);
    head = reader.next(head);
    REQUIRE(head.next == next_step::answer);
    CHECK(head.parsed.req.path == "/two");
    CHECK(head.parsed.req.path.data() >= scratch.data());  // still where it landed
    CHECK(head.parsed.req.path.data() < scratch.data() + scratch.size());
    head = reader.next(head);
    REQUIRE(head.next == next_step::answer);
    CHECK(head.parsed.req.path == "/");
    CHECK(head.whole);  // the last one, nothing after it
    CHECK(reader.next(head).next == next_step::read_more);
    CHECK(reader.idle());
    CHECK_FALSE(reader.owns_buffer());  // an idle kept connection holds none
}

TEST_CASE("the start of the next request is kept at the front, and completed by the next receive", "[reader]") {
    std::vector<char> scratch(head_buffer_size);
    request_reader reader;
    request_head first = receive(reader, scratch, get + "GET /next HT");
    REQUIRE(first.next == next_step::answer);
    CHECK(reader.next(first).next == next_step::read_more);
    CHECK_FALSE(reader.idle());
    CHECK(reader.owns_buffer());
    CHECK(reader.held() == 12);
    request_head head = receive(reader, scratch, "TP/1.1\r\nHost: x\r\n\r\n");
    REQUIRE(head.next == next_step::answer);
    CHECK(head.parsed.req.path == "/next");
    CHECK(head.whole);
    CHECK(reader.next(head).next == next_step::read_more);
    CHECK(reader.idle());
    CHECK_FALSE(reader.owns_buffer());
}

TEST_CASE("a head in pieces, then the next request after it in its buffer", "[reader]") {
    std::vector<char> scratch(head_buffer_size);
    request_reader reader;
    CHECK(receive(reader, scratch, get.substr(0, 7)).next == next_step::read_more);
    request_head first = receive(reader, scratch, get.substr(7) + "GET /b HTTP/1.1\r\n");
    REQUIRE(first.next == next_step::answer);
    CHECK(reader.next(first).next == next_step::read_more);
    CHECK(reader.held() == 17);  // moved to the front of its buffer
    request_head head = receive(reader, scratch, "Host: x\r\n\r\n");
    REQUIRE(head.next == next_step::answer);
    CHECK(head.parsed.req.path == "/b");
}

TEST_CASE("a body is skipped, what came of it and what comes later, before the next request", "[reader]") {
    std::vector<char> scratch(head_buffer_size);
    request_reader reader;
    std::string post = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n";
    request_head head = receive(reader, scratch, post + "abcd");
    REQUIRE(head.next == next_step::answer);
    CHECK(head.parsed.body_size == 10u);
    CHECK(reader.next(head).next == next_step::read_more);
    CHECK_FALSE(reader.idle());  // six bytes of body to come
    CHECK_FALSE(reader.owns_buffer());
    CHECK(receive(reader, scratch, "efg").next == next_step::read_more);
    head = receive(reader, scratch, "hij" + get);
    REQUIRE(head.next == next_step::answer);
    CHECK(head.parsed.req.method == "GET");
    CHECK(head.whole);
    CHECK(reader.next(head).next == next_step::read_more);
    CHECK(reader.idle());
}

TEST_CASE("a body in the same piece, then the next request, judged at once", "[reader]") {
    std::vector<char> scratch(head_buffer_size);
    request_reader reader;
    request_head head =
        receive(reader, scratch, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" + get);
    REQUIRE(head.next == next_step::answer);
    CHECK(head.after == "hello" + get);
    head = reader.next(head);
    REQUIRE(head.next == next_step::answer);
    CHECK(head.parsed.req.method == "GET");
    CHECK(head.parsed.body_size == 0u);
    CHECK(head.whole);
}

TEST_CASE("a lent buffer serves request after request, a body skipped in it", "[reader]") {
    std::array<char, head_buffer_size> buffer;
    request_reader reader(buffer);
    std::string post = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab";
    request_head head = receive(reader, {}, post);
    REQUIRE(head.next == next_step::answer);
    CHECK(reader.next(head).next == next_step::read_more);
    CHECK(reader.room().data() == buffer.data());
    head = receive(reader, {}, "cd" + get.substr(0, 5));
    CHECK(head.next == next_step::read_more);
    CHECK(reader.held() == 5);
    head = receive(reader, {}, get.substr(5));
    REQUIRE(head.next == next_step::answer);
    CHECK(head.whole);
    CHECK_FALSE(reader.owns_buffer());
}

TEST_CASE("a chunked body's size is unknown, a huge one the largest there is", "[parser]") {
    std::vector<char> scratch(head_buffer_size);
    request_reader chunked;
    request_head head = receive(chunked, scratch, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    REQUIRE(head.next == next_step::answer);
    CHECK_FALSE(head.parsed.body_size.has_value());
    request_reader huge;
    head = receive(huge, scratch, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n");
    REQUIRE(head.next == next_step::answer);
    CHECK(head.parsed.body_size == UINT64_MAX);
}

TEST_CASE("the stream ending while a body is skipped is closed", "[reader]") {
    std::vector<char> scratch(head_buffer_size);
    request_reader reader;
    request_head head = receive(reader, scratch, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\nab");
    REQUIRE(head.next == next_step::answer);
    CHECK(reader.next(head).next == next_step::read_more);
    CHECK(reader.ended().next == next_step::close);
}
