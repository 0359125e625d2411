#include "worker_pool.hpp"

#include "server.hpp"

namespace threaded {

worker_pool::worker_pool(std::size_t warm_threads, std::size_t max_connections,
                         std::chrono::milliseconds read_timeout)
    : max_connections_(max_connections), read_timeout_(read_timeout) {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < std::min(warm_threads, max_connections); ++i)
        threads_.emplace_back(&worker_pool::work, this);
}

worker_pool::~worker_pool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    client_ready_.notify_all();
    for (auto& t : threads_) t.join();
}

// tutorial: try-serve
bool worker_pool::try_serve(raii_http::unique_fd& client) {
    {
        std::lock_guard lock(mutex_);
        if (in_service_ == max_connections_) return false;
        ++in_service_;
        queue_.push_back(std::move(client));
        // Every idle worker is spoken for: start one more. This is what
        // keeps a room full of silent clients from delaying the next one.
        if (idle_ < queue_.size() && threads_.size() < max_connections_)
            threads_.emplace_back(&worker_pool::work, this);
    }
    client_ready_.notify_one();
    return true;
}
// end tutorial

// tutorial: work
void worker_pool::work() {
    std::unique_lock lock(mutex_);
    for (;;) {
        ++idle_;
        client_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        --idle_;
        if (queue_.empty()) return;  // stopping, and nothing left to serve
        raii_http::unique_fd client = std::move(queue_.front());
        queue_.pop_front();

        lock.unlock();  // serve without holding the lock: that is the concurrency
        raii_http::serve_connection(std::move(client), read_timeout_);
        lock.lock();
        --in_service_;
    }
}
// end tutorial

}  // namespace threaded
