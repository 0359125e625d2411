// One event loop: a thread, an io_uring, and every connection that thread
// accepted. Stage 07 runs one loop per core (--loops); they share only the
// listener, the stop signal's descriptor and the connection count.
#pragma once

#include "connection.hpp"
#include "deadline_list.hpp"
#include "loop_shared.hpp"  // stage 05's: what the loops of a process share

#include <liburing.h>

#include <optional>
#include <system_error>

namespace ring {

using evented::shared_state;

// This kernel (or emulator, or sandbox) offers no io_uring this stage can use.
struct ring_unavailable : std::system_error {
    using std::system_error::system_error;
};

class event_loop {
public:
    // Creates the ring and its pool of receive buffers (before the listener
    // exists); throws ring_unavailable where io_uring is missing.
    explicit event_loop(shared_state& shared);
    event_loop(const event_loop&) = delete;
    event_loop& operator=(const event_loop&) = delete;
    ~event_loop();

    // Accepts and watches the stop fd through the ring, then serves until a
    // stop was requested and every connection is done.
    void run();

private:
    io_uring_sqe* next_sqe(unsigned chain);
    void accept_clients();
    void on_accepted(const io_uring_cqe& cqe, clock::time_point now);
    void on_received(connection& c, const io_uring_cqe& cqe, clock::time_point now);
    void settle(connection& c, state from, clock::time_point now);
    void receive(connection& c);
    void expire(evented::deadline_list& list, clock::time_point now);
    void stop_accepting();

    shared_state& shared_;
    io_uring ring_{};
    // Receive buffers the kernel picks from only once bytes arrive, so a
    // silent connection holds none (a provided buffer ring, group 0).
    io_uring_buf_ring* pool_ = nullptr;  // its ring of buffer addresses, the buffers behind it
    char* buffers_ = nullptr;
    evented::deadline_list reading_;    // reading_head: the read timeout
    evented::deadline_list lingering_;  // lingering: the linger time
    long live_ = 0;                     // connections of this loop, until their close is in the ring
    bool accepting_ = false;            // the multishot accept is in the ring
    bool stopping_ = false;
    std::optional<clock::time_point> resume_accepting_at_;  // after running out of descriptors
};

}  // namespace ring
