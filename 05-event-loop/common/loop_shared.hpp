// What an event loop of stage 05 shares with the other loops of its
// process, and with stage 07's loops, which are built the same way: the
// listener, the stop signal, the connection count, and how long to wait
// for the next deadline.
#pragma once

#include "deadline_list.hpp"
#include "unique_fd.hpp"

#include <atomic>
#include <chrono>
#include <initializer_list>
#include <optional>

namespace evented {

// What the loops of one process share.
struct shared_state {
    raii_http::unique_fd listener;  // closed by the last loop to stop accepting
    int stop_fd = -1;               // readable once SIGINT or SIGTERM arrived (it stays readable)
    long max_connections = 15'000;  // for the whole process; past it, 503
    std::chrono::milliseconds read_timeout{5000};
    std::atomic<long> open_connections = 0;
    std::atomic<int> loops_accepting = 0;
};

// How long a loop may wait for events: until the earliest of `wake_at` and
// the first deadline of each list, from `now`; nullopt when there is none.
std::optional<std::chrono::milliseconds> time_to_wait(clock::time_point now, std::optional<clock::time_point> wake_at,
                                                      std::initializer_list<const deadline_list*> lists);

}  // namespace evented
