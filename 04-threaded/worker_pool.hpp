// A pool of worker threads that accept and serve, growing on demand up to a
// hard limit and shrinking back once the extra workers sit idle.
#pragma once

#include "unique_fd.hpp"

#include <chrono>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

namespace threaded {

class worker_pool {
public:
    // A worker beyond the pool's starting size that has waited this long in
    // accept without a client ends, so that a burst of clients does not keep
    // its threads for the rest of the run.
    static constexpr std::chrono::seconds idle_timeout{10};

    // Starts `workers` workers, each taking clients straight from `listener`
    // and serving one at a time with stage 03's serve_connection. More start
    // as needed: never more than `max_connections` serving, plus one waiting
    // in accept, which answers 503 past the limit. Those beyond `workers`
    // end after idle_timeout without a client (on Linux: worker_pool.cpp).
    worker_pool(raii_http::unique_fd listener, std::size_t workers, std::size_t max_connections,
                std::chrono::milliseconds read_timeout);
    worker_pool(const worker_pool&) = delete;
    worker_pool& operator=(const worker_pool&) = delete;

    // Stops accepting, finishes every connection already accepted, then
    // joins every thread.
    ~worker_pool();

private:
    void work();
    bool begin_service();
    bool retire();
    void start_worker();
    bool stopping();

    const std::size_t min_workers_;
    const std::size_t max_connections_;
    const std::chrono::milliseconds read_timeout_;
    raii_http::unique_fd listener_;  // closed only by the destructor (on macOS, to wake accepts)
    const int listener_fd_;          // what workers accept on, a copy they may read unlocked

    std::mutex mutex_;            // guards everything below
    std::size_t in_service_ = 0;  // workers serving a client
    std::size_t idle_ = 0;        // workers waiting in accept, or about to
    bool stopping_ = false;
    std::vector<std::thread> threads_;  // the workers, one per thread running
    std::thread retired_;               // the last worker to end, joined by the next (or the destructor)
};

}  // namespace threaded
