#include "worker_pool.hpp"

#include "connection_limit.hpp"
#include "server.hpp"

#include <algorithm>
#include <cerrno>
#include <sys/socket.h>
#include <sys/time.h>
#include <system_error>

namespace threaded {
namespace {

// Makes a blocking accept on the listener give up after `timeout` (EAGAIN),
// so that an idle worker wakes to ask whether it is still needed. Linux's
// accept honours SO_RCVTIMEO; macOS's ignores it, so there the extra workers
// stay until the pool stops. Accepted sockets inherit the timeout, which
// changes nothing for them: serve_connection never blocks in a read, it polls.
void time_out_accepts(int listener, std::chrono::seconds timeout) {
    timeval limit{};
    limit.tv_sec = static_cast<decltype(limit.tv_sec)>(timeout.count());
    if (::setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) < 0)
        throw std::system_error(errno, std::system_category(), "setsockopt SO_RCVTIMEO");
}

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

worker_pool::worker_pool(raii_http::unique_fd listener, std::size_t workers, std::size_t max_connections,
                         std::chrono::milliseconds read_timeout)
    : min_workers_(std::min(workers, max_connections)),
      max_connections_(max_connections),
      read_timeout_(read_timeout),
      listener_(std::move(listener)),
      listener_fd_(listener_.get()) {
    time_out_accepts(listener_fd_, idle_timeout);
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < min_workers_; ++i) start_worker();
}

worker_pool::~worker_pool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;  // no worker starts or retires after this, so the threads are ours
    }
    stop_accepting(listener_);
    for (auto& t : threads_) t.join();
    if (retired_.joinable()) retired_.join();
}

// tutorial: work
void worker_pool::work() {
    for (;;) {
        // Idle workers all wait here: the kernel's queue of connections is
        // the work queue. Linux wakes one worker per client; a kernel that
        // wakes them all (BSD's may) sends all but one back to sleep inside
        // accept, so the code is right either way.
        raii_http::unique_fd client(::accept(listener_fd_, nullptr, nullptr));
        if (!client) {
            if (stopping()) return;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                // No client for idle_timeout: end, if the pool can spare us.
                if (retire()) return;
            } else if (errno == EMFILE || errno == ENFILE) {
                std::this_thread::sleep_for(raii_http::accept_pause);  // out of descriptors
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

// An idle worker whose accept timed out: true if it is to end, because the
// pool is over its starting size and another worker is left in accept.
// Its thread then moves to retired_, joined by the next worker to end.
bool worker_pool::retire() {
    std::lock_guard lock(mutex_);
    if (stopping_ || threads_.size() <= min_workers_ || idle_ < 2) return false;
    auto self = std::find_if(threads_.begin(), threads_.end(),
                             [](const std::thread& t) { return t.get_id() == std::this_thread::get_id(); });
    // The worker retired before this one takes no lock on its way out, so
    // joining it here, lock held, cannot wait on us.
    if (retired_.joinable()) retired_.join();
    retired_ = std::move(*self);
    threads_.erase(self);
    --idle_;
    return true;
}

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
