#include "worker_pool.hpp"

#include "connection_limit.hpp"
#include "server.hpp"

#include <algorithm>
#include <cerrno>
#include <sys/socket.h>
#include <system_error>

namespace threaded {
namespace {

// Fails every accept on the listener, those blocked now and those to come.
void stop_accepting(raii_http::unique_fd& listener) {
#if defined(__linux__)
    // Linux: shutdown takes the socket out of the listening state and wakes
    // every blocked accept (EINVAL); closing it would leave them blocked.
    ::shutdown(listener.get(), SHUT_RD);
#else
    // macOS refuses shutdown on a listening socket (ENOTCONN) and leaves
    // accept blocked; there, closing it is what wakes the blocked accepts
    // (ECONNABORTED), and later ones fail on the closed descriptor (EBADF).
    listener.reset();
#endif
}

}  // namespace

worker_pool::worker_pool(raii_http::unique_fd listener, std::size_t warm_threads,
                         std::size_t max_connections, std::chrono::milliseconds read_timeout)
    : max_connections_(max_connections),
      read_timeout_(read_timeout),
      listener_(std::move(listener)),
      listener_fd_(listener_.get()) {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < std::min(warm_threads, max_connections); ++i) start_worker();
}

worker_pool::~worker_pool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;  // no worker starts after this, so threads_ is ours
    }
    stop_accepting(listener_);
    for (auto& t : threads_) t.join();
}

// tutorial: work
void worker_pool::work() {
    for (;;) {
        // Idle workers all wait here: the kernel's queue of connections is
        // the work queue, and Linux wakes one worker per client (macOS wakes
        // them all, and all but one go back to sleep inside accept).
        raii_http::unique_fd client(::accept(listener_fd_, nullptr, nullptr));
        if (!client) {
            if (stopping()) return;
            if (errno == EMFILE || errno == ENFILE) {
                // Out of descriptors: the client stays queued, so back off
                // instead of spinning on accept.
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
            continue;  // other failures concern one client only
        }
        if (!begin_service()) {
            raii_http::refuse(std::move(client));
            continue;
        }
        raii_http::serve_connection(std::move(client), read_timeout_);
        std::lock_guard lock(mutex_);
        --in_service_;
        ++idle_;
    }
}
// end tutorial

// tutorial: begin-service
// Counts this worker as serving; false when max_connections already are.
bool worker_pool::begin_service() {
    std::lock_guard lock(mutex_);
    if (in_service_ == max_connections_) return false;
    ++in_service_;
    // The last idle worker starts another, so that one is always in accept:
    // this is what keeps a room full of silent clients from delaying the
    // next one, and what answers 503 past the limit. At most
    // max_connections + 1 threads, and none started while a worker is idle.
    if (--idle_ == 0 && !stopping_) start_worker();
    return true;
}
// end tutorial

// With mutex_ held.
void worker_pool::start_worker() {
    try {
        threads_.emplace_back(&worker_pool::work, this);
        ++idle_;
    } catch (const std::system_error&) {
        // No thread to be had: clients wait in the kernel's queue until a
        // worker comes back to accept.
    }
}

bool worker_pool::stopping() {
    std::lock_guard lock(mutex_);
    return stopping_;
}

}  // namespace threaded
