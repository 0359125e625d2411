#include "http.hpp"

#include <algorithm>
#include <cctype>

namespace raii_http {
namespace {

constexpr std::string_view crlf = "\r\n";

// RFC 9110 token characters: what a method or a header name is made of.
bool is_token(std::string_view s) {
    constexpr std::string_view punctuation = "!#$%&'*+-.^_`|~";
    return !s.empty() && std::all_of(s.begin(), s.end(), [&](unsigned char c) {
        return std::isalnum(c) || punctuation.find(static_cast<char>(c)) != std::string_view::npos;
    });
}

// No control characters (NUL, bare CR or LF…), no spaces: a request target.
bool is_visible(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c > 0x20 && c != 0x7f; });
}

bool is_field_value(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](unsigned char c) { return (c >= 0x20 && c != 0x7f) || c == '\t'; });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// A LF without a CR before it: never a line end here, however long we wait.
bool has_bare_lf(std::string_view s) {
    for (auto at = s.find('\n'); at != std::string_view::npos; at = s.find('\n', at + 1))
        if (at == 0 || s[at - 1] != '\r') return true;
    return false;
}

// Splits off everything up to the first `separator`; false if there is none.
bool split(std::string_view& rest, std::string_view separator, std::string_view& first) {
    auto at = rest.find(separator);
    if (at == std::string_view::npos) return false;
    first = rest.substr(0, at);
    rest.remove_prefix(at + separator.size());
    return true;
}

// tutorial: request-line
// "GET / HTTP/1.1": exactly three parts, single spaces, a target that is a
// path, and a version this server speaks.
bool parse_request_line(std::string_view line, request& req) {
    if (!split(line, " ", req.method) || !split(line, " ", req.target)) return false;
    req.version = line;
    return is_token(req.method) && req.target.starts_with('/') && is_visible(req.target) &&
           (req.version == "HTTP/1.1" || req.version == "HTTP/1.0");
}
// end tutorial

// "Name: value", the value without surrounding white space.
bool parse_header(std::string_view line, request& req) {
    std::string_view name;
    if (!split(line, ":", name) || !is_token(name) || !is_field_value(line)) return false;
    req.headers.push_back({name, trim(line)});
    return true;
}

}  // namespace

// tutorial: parse-request
parse_result parse_request(std::string_view bytes) {
    // Lines end with CRLF (a bare LF is a control character in a line and
    // makes the request malformed); the head ends with an empty line.
    auto end = bytes.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (bytes.size() > max_head_size) return {.status = parse_status::head_too_large};
        // Reject a bad request line as soon as it is whole, and a bare LF
        // (what a client typing into nc sends) as soon as it arrives:
        // neither becomes valid by waiting for the rest of the head.
        request req;
        std::string_view line, rest = bytes;
        if ((split(rest, crlf, line) && !parse_request_line(line, req)) || has_bare_lf(bytes))
            return {.status = parse_status::bad_request};
        return {.status = parse_status::incomplete};
    }
    std::size_t head_size = end + 4;
    if (head_size > max_head_size) return {.status = parse_status::head_too_large};

    parse_result result{.status = parse_status::complete, .head_size = head_size};
    std::string_view rest = bytes.substr(0, end + 2), line;
    if (!split(rest, crlf, line) || !parse_request_line(line, result.req))
        return {.status = parse_status::bad_request};
    while (split(rest, crlf, line))
        if (!parse_header(line, result.req)) return {.status = parse_status::bad_request};
    return result;
}
// end tutorial

std::string response::serialize() const {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
    out += "Content-Type: text/html; charset=utf-8\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    for (const auto& h : extra_headers) out += std::string(h.name) + ": " + std::string(h.value) + "\r\n";
    out += "Connection: close\r\n\r\n";
    if (!head_only) out += body;
    return out;
}

response error_page(int status, std::string_view reason) {
    std::string title = std::to_string(status) + " " + std::string(reason);
    return {.status = status,
            .reason = reason,
            .body = "<!doctype html><html><body><h1>" + title + "</h1></body></html>\n"};
}

// tutorial: respond-to
response respond_to(const parse_result& parsed) {
    switch (parsed.status) {
        case parse_status::head_too_large: return error_page(431, "Request Header Fields Too Large");
        case parse_status::bad_request:
        case parse_status::incomplete: return error_page(400, "Bad Request");
        case parse_status::complete: break;
    }
    const request& req = parsed.req;
    if (req.method != "GET" && req.method != "HEAD") {
        response r = error_page(405, "Method Not Allowed");
        r.extra_headers.push_back({"Allow", "GET, HEAD"});
        return r;
    }
    response r = req.target == "/"
        ? response{.body = "<!doctype html><html><body><h1>Hello from Assembler :)</h1></body></html>\n"}
        : error_page(404, "Not Found");
    r.head_only = req.method == "HEAD";
    return r;
}
// end tutorial

}  // namespace raii_http
