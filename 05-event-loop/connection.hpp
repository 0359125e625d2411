// One client connection of stage 05, as a small state machine. The loop
// calls on_readable/on_writable when the poller says so; each does the
// system calls its state needs, without ever blocking, and returns the
// state to go to. The loop then waits for what that state needs.
//
//                 more of the head to come: the reader keeps what came
//                     ┌──────┐
//                     ▼      │
//   accept ──► reading_head ─┴─ head whole, or 400/431, or the client's EOF ──► answer
//                     │                                                          │
//                     │ EOF before any byte,                       the write would block
//                     │ an error, the read timeout                               ▼
//                     │                                     writing ── writable: the rest
//                     ▼                                                          │
//                   closed                                    all sent: shutdown(SHUT_WR)
//                     ▲                                                          │
//                     ├──────── one whole request, nothing after it ◄────────────┤
//                     │                                                    anything else
//                     │                                                          ▼
//                     └────── EOF, an error, 1 s passed ─────────────────── lingering
//                                                                  (reads and drops what comes)
//
// The timeouts (read timeout, linger time) are the loop's: it expires
// connections from its deadline lists and closes them.
#pragma once

#include "deadline_list.hpp"
#include "poller.hpp"
#include "request_reader.hpp"
#include "unique_fd.hpp"

#include <optional>
#include <span>
#include <string_view>

namespace evented {

// tutorial: connection-state
enum class state {
    reading_head,  // waiting for (the rest of) the request head: poller waits for read
    writing,       // the answer did not fit in the socket's buffer: waits for write
    lingering,     // answered, our side shut: reads and drops until EOF (or 1 s)
    closed,        // done: the loop closes the descriptor and forgets it
};
// end tutorial

// Its links sit in the deadline list of its state: the read timeout's
// (reading_head, writing) or the linger time's (lingering).
struct connection : deadline_hook {
    explicit connection(raii_http::unique_fd client) : fd(std::move(client)) {}

    raii_http::unique_fd fd;
    state current = state::reading_head;
    std::optional<interest> watching;  // what the poller waits for on its behalf, once registered
    bool whole = false;                // answered exactly one whole request head: close at once
    // A buffer only while the head arrives in pieces: a connection that has
    // sent nothing, or sent its head at once, holds none.
    raii_http::request_reader reader;
    std::string_view unsent;  // the rest of the answer (raii_http's, prebuilt) when a write would block
};

// The socket is readable (or in trouble). `scratch` is the loop's buffer,
// raii_http::head_buffer_size bytes, reused by every connection of the loop.
state on_readable(connection& c, std::span<char> scratch);

// The socket is writable (or in trouble).
state on_writable(connection& c);

// What each state waits for (none for closed).
std::optional<interest> interest_of(state s);

}  // namespace evented
