// A pool of worker threads that accept and serve, growing on demand up to a
// hard limit.
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
    // Starts `warm_threads` workers, each taking clients straight from
    // `listener` and serving one at a time with stage 03's serve_connection.
    // More start as needed: never more than `max_connections` serving, plus
    // one waiting in accept, which answers 503 past the limit.
    worker_pool(raii_http::unique_fd listener, std::size_t warm_threads, std::size_t max_connections,
                std::chrono::milliseconds read_timeout);
    worker_pool(const worker_pool&) = delete;
    worker_pool& operator=(const worker_pool&) = delete;

    // Stops accepting, finishes every connection already accepted, then
    // joins every thread.
    ~worker_pool();

private:
    void work();
    bool begin_service();
    void start_worker();
    bool stopping();

    const std::size_t max_connections_;
    const std::chrono::milliseconds read_timeout_;
    raii_http::unique_fd listener_;  // closed only by the destructor (on macOS, to wake accepts)
    const int listener_fd_;          // what workers accept on, a copy they may read unlocked

    std::mutex mutex_;            // guards everything below
    std::size_t in_service_ = 0;  // workers serving a client
    std::size_t idle_ = 0;        // workers waiting in accept, or about to
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace threaded
