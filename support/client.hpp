// A raw-socket HTTP client for the tests and the benchmark: it sends bytes
// exactly as given and reports how the server ended the connection, because
// the ending (clean FIN or reset) is part of what the stages teach.
#pragma once

#include <chrono>
#include <netinet/in.h>
#include <string>
#include <string_view>

namespace workshop {

using namespace std::chrono_literals;

// Owns one socket descriptor; closes it exactly once.
class socket_fd {
public:
    socket_fd() = default;
    explicit socket_fd(int fd) : fd_(fd) {}
    socket_fd(socket_fd&& other) noexcept : fd_(other.release()) {}
    socket_fd& operator=(socket_fd&& other) noexcept;
    socket_fd(const socket_fd&) = delete;
    socket_fd& operator=(const socket_fd&) = delete;
    ~socket_fd();

    int get() const { return fd_; }
    int release() noexcept;

private:
    int fd_ = -1;
};

// 127.0.0.1:port, as the socket calls take it (port 0: any free port).
sockaddr_in loopback(int port);

// A request that asks for one answer on its connection, then the close:
// what every stage gives it (08 too, which keeps other connections open).
inline const std::string simple_get = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
// The same without Connection: close: an HTTP/1.1 connection that may
// persist (RFC 9112 §9.3), answered and kept open by 08.
inline const std::string kept_get = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

// A TCP connection to 127.0.0.1:port, or an invalid socket_fd (get() < 0).
socket_fd connect_to(int port);
// The same, giving up after `limit`: a server whose listen queue is full
// leaves the handshake unfinished, and a plain connect waits for minutes.
socket_fd connect_to(int port, std::chrono::milliseconds limit);

// Sends all of data; false when the peer is gone.
bool send_all(int fd, std::string_view data);

// Closes with SO_LINGER 0, so the kernel sends a reset instead of a FIN.
void reset_connection(socket_fd fd);

enum class ending { eof, reset, timeout, refused };

struct reply {
    std::string bytes;  // everything that arrived before the ending
    ending end = ending::timeout;
};

// Reads until the server ends the connection or `limit` passes.
reply read_to_end(int fd, std::chrono::milliseconds limit = 10s);

// Reads exactly `size` bytes (an answer on a connection that stays open),
// or what came before the end or `limit`.
std::string read_exactly(int fd, std::size_t size, std::chrono::milliseconds limit = 10s);

// Connects, sends `request`, reads to the end.
reply exchange(int port, std::string_view request = simple_get,
               std::chrono::milliseconds limit = 10s);

// The same, saying it is done sending once the request is out: a server
// that keeps connections open (nginx) then closes once it has answered.
reply send_and_half_close(int port, std::string_view request);

// \r and \n written out, so a mismatch in line endings shows.
std::string visible(std::string_view bytes);

// The first line of a request or a response (its request or status line),
// cut short if long, or "nothing": what a one-line report of it says.
std::string first_line(std::string_view bytes);

const char* to_string(ending e);

}  // namespace workshop
