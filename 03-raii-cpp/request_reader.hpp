// One request head, gathered from the bytes a connection receives however
// they arrive: a read at a time (03, 05, 06) or a completion at a time
// (07). It parses what has come and says what to do next. Every stage from
// 03 on reads its requests through it, so each stage shows only how it
// waits for the bytes.
#pragma once

#include "http.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace raii_http {

enum class next_step {
    read_more,  // the head is not whole yet
    answer,     // a whole head, or one already known to be refused (400, 431...)
    close,      // the stream ended before the client sent a byte: just close
};

// What the reader has made of the bytes so far. Its views point into the
// bytes received: valid until the next receive, or clear().
struct request_head {
    next_step next = next_step::read_more;
    parse_result parsed{};  // when next is answer: the request, or why it is refused
    // The client sent one whole request and nothing after it: it may be
    // closed at once after the answer. Any other client may still be
    // sending, and closing with its bytes unread makes the kernel send a
    // reset, which can destroy the answer (RFC 9112 §9.6).
    bool whole = false;
    std::string_view after;  // bytes that came after the head: a body, the next request
};

class request_reader {
public:
    // Keeps a head that arrives in pieces in a buffer of its own, allocated
    // for that head only: a connection that has sent nothing, or sent its
    // head in one piece, holds none (05, 07).
    request_reader() = default;
    // Gathers every head in `buffer`, which the caller keeps alive (03's
    // stack, 06's coroutine frame).
    explicit request_reader(std::span<char, head_buffer_size> buffer) : buffer_(buffer.data()) {}
    request_reader(const request_reader&) = delete;
    request_reader& operator=(const request_reader&) = delete;
    ~request_reader() { clear(); }

    // Where the next receive should land: after the pieces of the head so
    // far, or, when there are none and no buffer was lent, in `scratch` (a
    // buffer of head_buffer_size bytes the caller reuses for every
    // connection, such as an event loop's).
    std::span<char> room(std::span<char> scratch = {});
    // How many bytes the next receive may bring: the head's buffer holds no more.
    std::size_t room_size() const { return head_buffer_size - used_; }

    // The bytes just received: in room(), or anywhere else (07's pool of
    // buffers), no more than room_size().
    request_head received(std::span<const char> bytes);
    // The client ended its stream (or the read failed) before the head did.
    request_head ended();

    // The request is answered: its bytes go, and an own buffer with them.
    void clear();

    // For a connection that serves request after request (08): `answered`,
    // the head judged last, was complete and is answered. Its bytes go; its
    // body (its length known: not chunked) is skipped, what came of it
    // already and, in later receives, the rest; and the bytes after it, the
    // next pipelined request, move to the front and are judged at once.
    // read_more when no whole head is left; then an own buffer is kept only
    // for a head that has begun to arrive.
    request_head next(const request_head& answered);

    // Bytes of an unfinished head it holds, and whether in a buffer of its own.
    std::size_t held() const { return used_; }
    bool owns_buffer() const { return own_; }
    // Between requests: no head begun, no body left to skip.
    bool idle() const { return used_ == 0 && body_left_ == 0; }

private:
    request_head gather(std::string_view piece);
    request_head judge(std::string_view bytes) const;
    std::size_t skip_body(std::size_t available);
    void drop_buffer();

    char* buffer_ = nullptr;  // lent, or own while a head arrives in pieces
    std::uint32_t used_ = 0;  // bytes of the head in buffer_
    bool own_ = false;
    std::uint64_t body_left_ = 0;  // of an answered request's body, still to arrive and be dropped
};

}  // namespace raii_http
