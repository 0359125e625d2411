// One client connection of stage 08, as stage 05's state machine with one
// state more: idle, a kept connection waiting for its next request. The
// loop calls on_readable/on_writable when the poller says so; each does the
// system calls its state needs, without ever blocking, and returns the
// state to go to. The loop then waits for what that state needs.
//
//              ┌──── every answer sent, the client may send more ◄────────┐
//              ▼                                                          │
//   accept ─► idle ─ a byte ─► reading_head ─ heads whole: answer them all ┤
//              │                  │    ▲  (the requests of one read,      │
//              │    the rest of a │    │   in one send)                   │
//              │    head to come  └────┘                          the send would block
//              │                  │                                       ▼
//              │ EOF, the         │ EOF before a byte, an error,   writing (not reading:
//              │ keep-alive       │ the read timeout               ─ back-pressure)
//              │ timeout          ▼                                       │
//              └───────────────► closed ◄── one whole request ─── the last answer sent
//                                  ▲         and nothing after    (Connection: close):
//                                  │                              shutdown(SHUT_WR)
//                                  │                                      │ anything else
//                                  └────── EOF, an error, 1 s ──── lingering ◄┘
//
// The timeouts (keep-alive, read timeout, linger time) are the loop's: it
// expires connections from its deadline lists and closes them.
#pragma once

#include "deadline_list.hpp"
#include "poller.hpp"
#include "request_reader.hpp"
#include "unique_fd.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace evented {

enum class state {
    idle,          // between requests, holding no buffer: poller waits for read
    reading_head,  // waiting for (the rest of) the request head: poller waits for read
    writing,       // the answers did not fit in the socket's buffer: waits for write
    lingering,     // answered, our side shut: reads and drops until EOF (or 1 s)
    closed,        // done: the loop closes the descriptor and forgets it
};

// A body larger than this is answered 413 and the connection closed.
inline constexpr std::uint64_t max_body_size = 1024 * 1024;

// Its links sit in the deadline list of its state: the keep-alive
// timeout's (idle), the read timeout's (reading_head, writing) or the
// linger time's (lingering).
struct connection : deadline_hook {
    connection(raii_http::unique_fd client, long max_requests) : fd(std::move(client)), requests_left(max_requests) {}

    raii_http::unique_fd fd;
    state current = state::idle;
    std::optional<interest> watching;  // what the poller waits for on its behalf, once registered
    long requests_left;                // answers it may still get; the last says Connection: close
    bool closing = false;              // the answer being sent is the last: close after it
    bool whole = false;                // the last request was whole, nothing after it: close at once
    bool stopping = false;             // the server is stopping: the requests in hand are the last
    // A buffer only while a head arrives in pieces: an idle connection, or
    // one whose requests come whole, holds none.
    raii_http::request_reader reader;
    std::string unsent;  // the rest of the answers, only when a write would block
};

// The socket is readable (or in trouble). `scratch` is the loop's buffer,
// raii_http::head_buffer_size bytes, and `answers` its output buffer, both
// reused by every connection of the loop.
state on_readable(connection& c, std::span<char> scratch, std::string& answers);

// The socket is writable (or in trouble).
state on_writable(connection& c);

// What each state waits for (none for closed).
std::optional<interest> interest_of(state s);

}  // namespace evented
