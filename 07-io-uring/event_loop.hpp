// One event loop: a thread, an io_uring, and every connection that thread
// accepted. Stage 07 runs one loop per core (--loops); they share only the
// listener, the stop signal's descriptor and the connection count.
#pragma once

#include "connection.hpp"
#include "deadline_list.hpp"
#include "unique_fd.hpp"

#include <liburing.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <system_error>

namespace ring {

// What the loops of one process share.
struct shared_state {
    raii_http::unique_fd listener;  // blocking: the ring waits for clients itself
    int stop_fd = -1;               // readable once SIGINT or SIGTERM arrived (it stays readable)
    long max_connections = 15'000;  // for the whole process; past it, 503
    std::chrono::milliseconds read_timeout{5000};
    std::atomic<long> open_connections = 0;
    std::atomic<int> loops_accepting = 0;
};

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
    std::optional<std::chrono::milliseconds> time_to_wait(clock::time_point now) const;

    shared_state& shared_;
    io_uring ring_{};
    // Receive buffers the kernel picks from only once bytes arrive, so a
    // silent connection holds none (a provided buffer ring, group 0).
    io_uring_buf_ring* pool_ = nullptr;  // its ring of buffer addresses, the buffers behind it
    char* buffers_ = nullptr;
    evented::deadline_list heads_;      // reading_head: the read timeout
    evented::deadline_list lingering_;  // lingering: the linger time
    std::set<std::string> answers_;     // every answer sent so far: a handful (200, 404, 400, ...)
    long live_ = 0;                     // connections of this loop, until their close is in the ring
    bool accepting_ = false;            // the multishot accept is in the ring
    bool stopping_ = false;
    std::optional<clock::time_point> resume_accepting_at_;  // after running out of descriptors
};

}  // namespace ring
