// One client connection of stage 07, as a small state machine. In 05 the
// loop called on_readable when the poller said the socket was ready; here
// the kernel has already received, and the loop hands on the completion.
// Each state names what the connection has in the ring:
//
//                 part of the head: the reader keeps it
//                     ┌──────┐
//                     ▼      │
//   accept ──► reading_head ─┴─ head whole, or 400/431, or the client's EOF: answer
//                     │                 │                              │
//                     │     one whole request, nothing after     anything else
//                     │                 ▼                              ▼
//                     │             answering                      lingering
//                     │   send → shutdown → close,          send → shutdown → receive,
//                     │          linked in the ring         linked; then receives that
//                     │ EOF before any byte,                   drop what comes
//                     │ an error, the read timeout                     │
//                     ▼                 │               EOF, an error, 1 s passed
//                  closing ◄────────────┼──────────────────────────────┘
//             (a close in the ring)     │
//                     ▼                 ▼
//          done with: the ring closes it and reports only a failure
#pragma once

#include "deadline_list.hpp"  // stage 05's: the read timeout and the linger time
#include "request_reader.hpp"

#include <string_view>

namespace ring {

using evented::clock;

// tutorial: uring-connection-state
enum class state {
    reading_head,  // a receive is in the ring, for the head or the rest of it
    answering,     // send → shutdown → close go into the ring, linked
    lingering,     // answered, our side shut: a receive in the ring drops what comes
    closing,       // a close is in the ring (or will be, once a cancelled receive ends)
};
// end tutorial

// Its links sit in the deadline list of its state: the read timeout's
// (reading_head) or the linger time's (lingering). The ring closes the
// descriptor, so it is a plain int here, not a unique_fd.
struct connection : evented::deadline_hook {
    explicit connection(int client) : fd(client) {}

    int fd;
    state current = state::reading_head;
    // A buffer only while the head arrives in pieces: a connection that has
    // sent nothing, or sent its head at once, holds none.
    raii_http::request_reader reader;
    // What a send in the ring reads, maybe after the connection is gone:
    // raii_http's prebuilt answers, which last as long as the process.
    std::string_view answer;
};

// A receive for the head completed: `result` as the kernel gave it (bytes,
// 0 at the end of the stream, or -errno), `pooled` the pool's buffer they
// landed in.
state on_head_received(connection& c, int result, const char* pooled);

// A receive while lingering completed.
state on_drained(connection& c, int result);

}  // namespace ring
