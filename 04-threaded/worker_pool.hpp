// A pool of worker threads that grows on demand, up to a hard limit.
#pragma once

#include "unique_fd.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace threaded {

class worker_pool {
public:
    // Starts `warm_threads` workers; more start as needed, never more than
    // `max_connections`, each serving one connection at a time with stage
    // 03's serve_connection.
    worker_pool(std::size_t warm_threads, std::size_t max_connections,
                std::chrono::milliseconds read_timeout);
    worker_pool(const worker_pool&) = delete;
    worker_pool& operator=(const worker_pool&) = delete;

    // Finishes every connection already handed over, then joins every thread.
    ~worker_pool();

    // Hands the client to a worker. False, leaving `client` with the caller,
    // when max_connections are already being served.
    bool try_serve(raii_http::unique_fd& client);

private:
    void work();

    const std::size_t max_connections_;
    const std::chrono::milliseconds read_timeout_;

    std::mutex mutex_;  // guards everything below
    std::condition_variable client_ready_;
    std::deque<raii_http::unique_fd> queue_;  // accepted, not yet picked up
    std::size_t in_service_ = 0;              // queued or being served
    std::size_t idle_ = 0;                    // workers waiting for a client
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace threaded
