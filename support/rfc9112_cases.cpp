#include "support/rfc9112_cases.hpp"

#include "support/client.hpp"

namespace workshop {
namespace {

// A request line, its fields (each ending in CRLF), then Connection: close
// (one answer a connection, from every stage), the blank line, a body.
std::string request(std::string_view line, std::string_view fields = "Host: localhost\r\n",
                    std::string_view body = "") {
    return std::string(line) + "\r\n" + std::string(fields) + "Connection: close\r\n\r\n" + std::string(body);
}

const std::string host = "Host: localhost\r\n";

}  // namespace

const std::vector<rfc9112_case>& rfc9112_cases() {
    using enum latitude;
    static const std::vector<rfc9112_case> cases = {
        // Host: whom the request is for.
        {"9112 §3.2", "HTTP/1.1 with Host", request("GET / HTTP/1.1"), 200, must},
        {"9112 §3.2", "HTTP/1.1 without Host", request("GET / HTTP/1.1", ""), 400, must},
        {"9112 §3.2", "HTTP/1.0 without Host", request("GET / HTTP/1.0", ""), 200, must},
        {"9112 §3.2", "two Host fields", request("GET / HTTP/1.1", "Host: a\r\nHost: b\r\n"), 400, must},
        {"9112 §3.2", "two equal Host fields", request("GET / HTTP/1.1", host + host), 400, must},
        {"9112 §3.2", "HTTP/1.0 with two Host fields", request("GET / HTTP/1.0", "Host: a\r\nHost: b\r\n"), 400, must},
        {"9112 §3.2", "a Host with a space in it", request("GET / HTTP/1.1", "Host: local host\r\n"), 400, must},
        {"9112 §3.2", "a Host with a slash in it", request("GET / HTTP/1.1", "Host: localhost/x\r\n"), 400, must},
        {"9110 §4.2.1", "an empty Host", request("GET / HTTP/1.1", "Host:\r\n"), 400, may},
        {"9112 §3.2", "a Host with a port", request("GET / HTTP/1.1", "Host: localhost:8585\r\n"), 200, must},
        {"9112 §3.2", "a Host that is an IPv6 literal", request("GET / HTTP/1.1", "Host: [::1]:8585\r\n"), 200, must},
        {"9110 §5.1", "a field name in lower case: host", request("GET / HTTP/1.1", "host: localhost\r\n"), 200, must},
        {"9112 §5.1", "a space before the colon: Host :", request("GET / HTTP/1.1", "Host : localhost\r\n"), 400, must},
        {"9112 §2.2", "a space before the first field", request("GET / HTTP/1.1", " " + host), 400, must},

        // The request target: origin-form and absolute-form.
        {"9112 §3.2.2", "absolute-form", request("GET http://localhost/ HTTP/1.1"), 200, must},
        {"9112 §3.2.2", "absolute-form without Host", request("GET http://localhost/ HTTP/1.1", ""), 400, must},
        {"9110 §4.2.3", "absolute-form with an empty path", request("GET http://localhost HTTP/1.1"), 200, must},
        {"9110 §4.2.3", "absolute-form in capitals", request("GET HTTP://LOCALHOST/ HTTP/1.1"), 200, must},
        {"9112 §3.2.2", "absolute-form of a missing page", request("GET http://localhost/missing HTTP/1.1"), 404, must},
        {"9110 §4.2.1", "absolute-form with no host", request("GET http:/// HTTP/1.1"), 400, must},
        {"9112 §3.2.1", "origin-form with a query: /?q=1", request("GET /?q=1 HTTP/1.1"), 200, may},
        {"9112 §3.2.2", "absolute-form with a query", request("GET http://localhost/?q=1 HTTP/1.1"), 200, may},
        {"9112 §3.2.1", "a missing page with a query", request("GET /missing?q=1 HTTP/1.1"), 404, must},
        {"9112 §3.2", "a relative target: index.html", request("GET index.html HTTP/1.1"), 400, may},
        {"9112 §3.2.4", "asterisk-form with GET", request("GET * HTTP/1.1"), 400, may},
        {"9112 §3.2", "a NUL in the target", request(std::string("GET /a\0b HTTP/1.1", 17)), 400, may},
        {"3986 §6.2.2", "a dot segment, percent-encoded", request("GET /%2e%2e/ HTTP/1.1"), 404, may},

        // The version: HTTP/1.x is served, another major version is not.
        {"9110 §6.2", "HTTP/1.2, answered as 1.1", request("GET / HTTP/1.2"), 200, may},
        {"9110 §6.2", "HTTP/1.2 without Host", request("GET / HTTP/1.2", ""), 400, may},
        {"9110 §6.2", "HTTP/1.9", request("GET / HTTP/1.9"), 200, may},
        {"9110 §15.6.6", "HTTP/2.0 in an HTTP/1 request line", request("GET / HTTP/2.0"), 505, may},
        {"9110 §15.6.6", "HTTP/3.0", request("GET / HTTP/3.0"), 505, may},
        {"9110 §15.6.6", "HTTP/0.9, written out", request("GET / HTTP/0.9"), 505, may},
        {"9112 §2.3", "a minor version of two digits: HTTP/1.10", request("GET / HTTP/1.10"), 400, may},
        {"9112 §2.3", "the version in lower case: http/1.1", request("GET / http/1.1"), 400, may},

        // The request line's shape and the lines around it.
        {"9112 §3", "two spaces after the method", request("GET  / HTTP/1.1"), 400, may},
        {"9112 §3", "a space after the version", request("GET / HTTP/1.1 "), 400, may},
        {"9112 §2.2", "lines ended by LF alone", "GET / HTTP/1.1\nHost: localhost\n\n", 400, may},
        {"9112 §2.2", "an empty line before the request line", "\r\n" + request("GET / HTTP/1.1"), 200, may},
        {"9112 §2.2", "two empty lines before the request line", "\r\n\r\n" + request("GET / HTTP/1.1"), 200, may},
        {"9112 §5.2", "a field folded onto a second line", request("GET / HTTP/1.1", host + "X-Note: a\r\n b\r\n"), 400, may},
        {"9110 §5.5", "a NUL in a field value", request("GET / HTTP/1.1", host + std::string("X-Note: a\0b\r\n", 13)), 400, may},

        // Content-Length: where the body ends.
        {"9112 §6.3", "Content-Length and its body", request("GET / HTTP/1.1", host + "Content-Length: 5\r\n", "hello"), 200, must},
        {"9112 §6.3", "Content-Length: 0", request("GET / HTTP/1.1", host + "Content-Length: 0\r\n"), 200, must},
        {"9112 §6.3", "Content-Length: abc", request("GET / HTTP/1.1", host + "Content-Length: abc\r\n"), 400, must},
        {"9112 §6.3", "Content-Length: -1", request("GET / HTTP/1.1", host + "Content-Length: -1\r\n"), 400, must},
        {"9112 §6.3", "Content-Length: +5", request("GET / HTTP/1.1", host + "Content-Length: +5\r\n", "hello"), 400, must},
        {"9112 §6.3", "an empty Content-Length", request("GET / HTTP/1.1", host + "Content-Length:\r\n"), 400, must},
        {"9112 §6.3", "two Content-Length fields that differ",
         request("GET / HTTP/1.1", host + "Content-Length: 5\r\nContent-Length: 6\r\n", "hello!"), 400, must},
        {"9110 §8.6", "two equal Content-Length fields",
         request("GET / HTTP/1.1", host + "Content-Length: 5\r\nContent-Length: 5\r\n", "hello"), 400, may},
        {"9110 §8.6", "Content-Length: 5, 5", request("GET / HTTP/1.1", host + "Content-Length: 5, 5\r\n", "hello"), 400, may},

        // Transfer-Encoding: chunked is understood, nothing else.
        {"9112 §7", "Transfer-Encoding: chunked",
         request("GET / HTTP/1.1", host + "Transfer-Encoding: chunked\r\n", "0\r\n\r\n"), 200, must},
        {"9112 §7", "Transfer-Encoding: Chunked, in any case",
         request("GET / HTTP/1.1", host + "Transfer-Encoding: Chunked\r\n", "0\r\n\r\n"), 200, must},
        {"9112 §6.1", "Transfer-Encoding: gzip", request("GET / HTTP/1.1", host + "Transfer-Encoding: gzip\r\n"), 501, may},
        {"9112 §6.1", "Transfer-Encoding: gzip, chunked",
         request("GET / HTTP/1.1", host + "Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"), 501, may},
        {"9112 §6.3", "Transfer-Encoding: chunked, gzip (chunked not last)",
         request("GET / HTTP/1.1", host + "Transfer-Encoding: chunked, gzip\r\n"), 501, may},
        {"9112 §6.1", "Transfer-Encoding beside Content-Length",
         request("GET / HTTP/1.1", host + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n"), 400, may},
        {"9112 §6.1", "two Transfer-Encoding fields",
         request("GET / HTTP/1.1", host + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 400, may},
        {"9112 §6.1", "Transfer-Encoding in HTTP/1.0",
         request("GET / HTTP/1.0", "Transfer-Encoding: chunked\r\n", "0\r\n\r\n"), 400, may},

        // Sizes.
        {"9112 §3", "a target of 9,000 bytes", request("GET /" + std::string(9000, 'a') + " HTTP/1.1"), 414, may},
        {"6585 §5", "a field of 9,000 bytes", request("GET / HTTP/1.1", host + "X-Note: " + std::string(9000, 'x') + "\r\n"), 431, may},

        // Methods and pages.
        {"9110 §9.1", "HEAD /", request("HEAD / HTTP/1.1"), 200, must},
        {"9110 §15.5.5", "a missing page", request("GET /missing HTTP/1.1"), 404, must},
        {"9110 §15.5.6", "POST /", request("POST / HTTP/1.1", host + "Content-Length: 0\r\n"), 405, may},
        {"9110 §9.1", "an unknown method: FOO", request("FOO / HTTP/1.1"), 405, may},
        {"9110 §9.1", "a method in lower case: get", request("get / HTTP/1.1"), 405, may},
    };
    return cases;
}

answer_class class_of(int status) {
    if ((status >= 200 && status < 300) || status == 404) return answer_class::served;
    if (status >= 400 && status < 500) return answer_class::refused;
    if (status >= 500 && status < 600) return answer_class::not_implemented;
    return answer_class::none;
}

const char* to_string(answer_class c) {
    switch (c) {
        case answer_class::served: return "served";
        case answer_class::refused: return "refused";
        case answer_class::not_implemented: return "not implemented";
        case answer_class::none: break;
    }
    return "no answer";
}

int status_of(std::string_view answer) {
    // "HTTP/1.1 200 OK": the three digits after the first space.
    auto space = answer.find(' ');
    if (!answer.starts_with("HTTP/") || space == std::string_view::npos || answer.size() < space + 4) return 0;
    int status = 0;
    for (char c : answer.substr(space + 1, 3)) {
        if (c < '0' || c > '9') return 0;
        status = status * 10 + (c - '0');
    }
    return status;
}

const std::vector<persistence_case>& persistence_cases() {
    static const std::vector<persistence_case> cases = {
        {"HTTP/1.1 persists by default", kept_get, true},
        {"HTTP/1.1 with Connection: close", simple_get, false},
        {"Connection: Close, in any case", "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: Close\r\n\r\n", false},
        {"Connection: keep-alive, close: close wins",
         "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive, close\r\n\r\n", false},
        {"HTTP/1.0 closes by default", "GET / HTTP/1.0\r\n\r\n", false},
        {"HTTP/1.0 with Connection: keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
    };
    return cases;
}

}  // namespace workshop
