// The HTTP side of stage 03, with no sockets in sight: bytes in, a request
// value out; a response value in, bytes out. Tests feed it bytes directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace raii_http {

// A request head larger than this is answered 431, or 414 when its request
// line alone does not fit.
inline constexpr std::size_t max_head_size = 8 * 1024;
// A head's buffer: one byte over the limit, to tell "exactly 8 KiB" from
// "too large".
inline constexpr std::size_t head_buffer_size = max_head_size + 1;

struct header {
    std::string_view name, value;
};

// Views into the bytes given to parse_request: valid while those live.
struct request {
    std::string_view method, target, version;
    std::string_view path;  // the target's path: "/" for "/?q=1" and "http://host"
    std::vector<header> headers;
};

enum class parse_status {
    complete,               // a whole head, up to and including the blank line
    incomplete,             // valid so far: read more
    bad_request,            // malformed, or its framing or Host unclear: 400
    head_too_large,         // over max_head_size: 431
    target_too_long,        // its request line alone over max_head_size: 414
    version_not_supported,  // HTTP/2.0 and every other major version but 1: 505
    not_implemented,        // a transfer coding other than chunked: 501
};

struct parse_result {
    parse_status status = parse_status::incomplete;
    request req{};              // filled when complete
    std::size_t head_size = 0;  // bytes the head took, when complete
    bool body_follows = false;  // a body was announced: a Content-Length above 0, or chunked
    // When complete: the body's length (its Content-Length, 0 without one;
    // one too large to count is the largest there is), or nullopt for a
    // chunked body, whose end only its chunks tell.
    std::optional<std::uint64_t> body_size;
};

parse_result parse_request(std::string_view bytes);

// RFC 9112 §9.3: whether the client lets the connection persist after this
// request's answer. HTTP/1.1 persists unless the request says Connection:
// close; HTTP/1.0 closes unless it says Connection: keep-alive.
bool persists(const request& req);

// The Connection field an answer carries: "close" (every stage's answer,
// the article's among them), none (a kept HTTP/1.1 connection, which
// persists by default), or "keep-alive" (a kept HTTP/1.0 connection).
enum class connection_field { close, none, keep_alive };

struct response {
    int status = 200;
    std::string_view reason = "OK";
    std::vector<header> extra_headers{};  // e.g. Allow on a 405
    std::string body;
    bool head_only = false;  // HEAD: the same head, no body
    connection_field connection = connection_field::close;

    std::string serialize() const;
};

// A small HTML page for an error status, e.g. error_page(404, "Not Found").
response error_page(int status, std::string_view reason);

// The status a parse outcome is answered with (incomplete means the client
// stopped sending before the head ended: 400), and the whole answer.
int status_for(const parse_result& parsed);
response response_for(int status, bool head_only);
// A HEAD request: answered as GET is, without the body.
bool is_head(const parse_result& parsed);
// What the server answers to a parse outcome: the response for its
// status, without the body for a HEAD.
response respond_to(const parse_result& parsed);

// respond_to(parsed), serialized. This server gives only a handful of
// different answers (the page, a 404, a 400, ...), so each is serialized
// once and kept for the life of the process, as the article keeps its 172
// bytes: nothing is built per request, and a send may read the bytes after
// the connection that asked for them is gone (07).
std::string_view answer_bytes(const parse_result& parsed, connection_field connection = connection_field::close);
// The same for a status chosen by the server itself (08's 413).
std::string_view answer_bytes(int status, bool head_only, connection_field connection);

}  // namespace raii_http
