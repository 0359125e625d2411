// The poller: the one place where stage 05 asks the kernel "which of these
// descriptors can I use now?". Two backends implement it, one file each,
// with the same functions in the same order so they read side by side:
//   poller_epoll.cpp   Linux
//   poller_kqueue.cpp  macOS and the BSDs
// CMakeLists.txt compiles exactly one of them.
//
// Both are used level-triggered: a descriptor is reported again on every
// wait for as long as it is still readable (or writable). A connection can
// then read once and come back later, and nothing is lost if it does not
// drain the socket: simpler to get right than edge-triggered, which reports
// a change only once and so obliges every handler to read until EAGAIN.
#pragma once

#include "unique_fd.hpp"

#include <chrono>
#include <optional>
#include <span>

namespace evented {

// What a descriptor is waited for. A connection only ever waits for one
// of the two: for the rest of its head, or for room to send its answer.
enum class interest { read, write };

struct event {
    int fd;          // the descriptor it is about
    bool readable;   // also set on an error or hang-up, so the read reports it
    bool writable;   // likewise
};

class poller {
public:
    poller();  // epoll_create1 or kqueue; throws std::system_error naming it

    // Starts watching `fd` for `what`. `shared`: the same descriptor sits in
    // every loop's poller (the listener); wake just one loop where the
    // kernel can (epoll: EPOLLEXCLUSIVE).
    void add(int fd, interest what, bool shared = false);

    // From waiting for `from` to waiting for `to` (kqueue has one filter per
    // direction, so it must be told which one to delete).
    void change(int fd, interest from, interest to);

    // Stops watching. Closing a descriptor also removes it from both kinds
    // of poller, so a connection that closes needs no remove().
    void remove(int fd, interest what);

    // Waits until something is ready or `timeout` passes (nullopt: no
    // limit); fills `out` and returns how many events it holds (0 on a
    // timeout or a signal).
    std::size_t wait(std::span<event> out, std::optional<std::chrono::milliseconds> timeout);

private:
    raii_http::unique_fd fd_;  // the epoll or kqueue descriptor
};

}  // namespace evented
