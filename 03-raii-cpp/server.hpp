// The socket side of stage 03: the same calls as stage 02, each failure
// raised as an exception naming the call, each descriptor owned.
#pragma once

#include "unique_fd.hpp"

#include <chrono>

namespace raii_http {

// socket, setsockopt, bind, listen on 0.0.0.0:port, with up to `backlog`
// connections waiting to be accepted (16, as in the article); throws
// std::system_error naming the failed call and the port ("bind to port 8585").
unique_fd listen_on(int port, int backlog = 16);

// SIGINT and SIGTERM, turned into a descriptor that becomes readable. A flag
// set by the handler is not enough on its own: a signal landing between
// checking the flag and blocking in accept would go unnoticed until the
// next client. poll() on this descriptor and the listener has no such gap.
class stop_signal {
public:
    stop_signal();  // installs the handlers; one instance per process
    stop_signal(const stop_signal&) = delete;
    stop_signal& operator=(const stop_signal&) = delete;
    ~stop_signal();

    int fd() const { return read_end_.get(); }

private:
    unique_fd read_end_, write_end_;
};

// Waits for a client to connect or for a stop; false once stopped.
bool wait_for_client(const unique_fd& listener, const stop_signal& stop);

// After answering a client that may still be sending, how long to keep
// reading (and dropping) what it sends before closing: closing with its
// bytes unread would make the kernel send a reset, which can destroy the
// answer before the client reads it.
inline constexpr auto linger_time = std::chrono::seconds(1);

// Out of descriptors, a client stays queued and accept fails again at once:
// how long to stop accepting before trying again, instead of spinning.
inline constexpr auto accept_pause = std::chrono::milliseconds(100);

// Reads one request head (giving up after read_timeout), answers, closes.
void serve_connection(unique_fd client, std::chrono::milliseconds read_timeout);

// One connection at a time until SIGINT or SIGTERM.
void serve(const unique_fd& listener, std::chrono::milliseconds read_timeout,
           const stop_signal& stop);

}  // namespace raii_http
