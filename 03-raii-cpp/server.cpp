#include "server.hpp"

#include "http.hpp"
#include "request_reader.hpp"

#include <algorithm>
#include <array>
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <span>
#include <string>
#include <sys/socket.h>
#include <system_error>
#include <thread>

namespace raii_http {
namespace {

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::system_category(), what);
}

using clock = std::chrono::steady_clock;

// Waits until fd is readable or the deadline passes; false on timeout.
bool wait_readable(int fd, clock::time_point deadline) {
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        pollfd p{fd, POLLIN, 0};
        int n = ::poll(&p, 1, static_cast<int>(std::max(left.count(), decltype(left)::rep{0})));
        if (n > 0) return true;
        if (n == 0 || errno != EINTR) return false;
    }
}

// Reads what has arrived, waiting only when nothing has: bytes read, 0 at
// the end of the stream, -1 on an error, nullopt once the deadline passed.
// Under load the request is usually there already, and trying first saves
// a poll per connection.
std::optional<ssize_t> read_some(int fd, std::span<char> free, clock::time_point deadline) {
    for (;;) {
        ssize_t n = ::recv(fd, free.data(), free.size(), MSG_DONTWAIT);
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
        if (!wait_readable(fd, deadline)) return std::nullopt;
    }
}

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;  // client gone
        bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

// Closing with unread bytes makes the kernel send a reset, which can destroy
// the answer before the client reads it. So when the client may still be
// sending (its request was not whole, or more bytes wait), say we are done
// writing, then read and drop what comes until it closes, for a while.
// A client that sent one whole request is closed at once, with a FIN.
void close_after_answer(unique_fd client, bool request_was_whole) {
    if (request_was_whole && !wait_readable(client.get(), clock::now())) return;
    ::shutdown(client.get(), SHUT_WR);
    auto deadline = clock::now() + linger_time;
    std::array<char, 4096> sink;
    for (auto n = read_some(client.get(), sink, deadline); n && *n > 0;
         n = read_some(client.get(), sink, deadline)) {
    }
}

// The write end of the stop pipe, for the signal handler.
volatile std::sig_atomic_t stop_write_fd = -1;

extern "C" void on_stop_signal(int) {
    int saved = errno;
    char byte = 1;
    [[maybe_unused]] auto n = ::write(stop_write_fd, &byte, 1);  // write is async-signal-safe
    errno = saved;
}

}  // namespace

// tutorial: listen-on
unique_fd listen_on(int port, int backlog) {
    std::string to_port = " to port " + std::to_string(port);
    unique_fd fd(::socket(AF_INET, SOCK_STREAM, 0));
    if (!fd) throw_errno("socket" + to_port);

    int one = 1;
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        throw_errno("setsockopt SO_REUSEADDR" + to_port);

    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
        throw_errno("bind" + to_port);

    if (::listen(fd.get(), backlog) < 0) throw_errno("listen" + to_port);
    return fd;  // on any throw above, fd's destructor closed the socket
}
// end tutorial

stop_signal::stop_signal() {
    int ends[2];
    if (::pipe(ends) < 0) throw_errno("pipe");
    read_end_.reset(ends[0]);
    write_end_.reset(ends[1]);
    // Never block the handler, even if nobody reads the pipe.
    ::fcntl(write_end_.get(), F_SETFL, O_NONBLOCK);
    stop_write_fd = write_end_.get();

    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
}

stop_signal::~stop_signal() {
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    stop_write_fd = -1;
}

bool wait_for_client(const unique_fd& listener, const stop_signal& stop) {
    for (;;) {
        std::array<pollfd, 2> fds{{{listener.get(), POLLIN, 0}, {stop.fd(), POLLIN, 0}}};
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            throw_errno("poll");
        }
        if (fds[1].revents != 0) return false;  // stop requested: the pipe stays readable
        if (fds[0].revents != 0) return true;
    }
}

// tutorial: serve-connection
void serve_connection(unique_fd client, std::chrono::milliseconds read_timeout) {
    std::array<char, head_buffer_size> buffer;
    request_reader reader(buffer);
    request_head head;
    auto deadline = clock::now() + read_timeout;
    while (head.next == next_step::read_more) {
        std::span<char> room = reader.room();
        auto n = read_some(client.get(), room, deadline);
        // A client that sends nothing complete in time is dropped, unanswered.
        if (!n) return;
        // The client stopped sending (or failed): answer what it sent.
        head = *n > 0 ? reader.received(room.first(*n)) : reader.ended();
    }
    if (head.next == next_step::close) return;  // it sent nothing at all
    if (write_all(client.get(), answer_bytes(head.parsed)))
        close_after_answer(std::move(client), head.whole);
}
// end tutorial

// tutorial: serve
void serve(const unique_fd& listener, std::chrono::milliseconds read_timeout,
           const stop_signal& stop) {
    while (wait_for_client(listener, stop)) {
        unique_fd client(::accept(listener.get(), nullptr, nullptr));
        if (client) {
            serve_connection(std::move(client), read_timeout);
        } else if (errno == EMFILE || errno == ENFILE) {
            // Out of descriptors: poll would report the client again at once.
            std::this_thread::sleep_for(accept_pause);
        }
        // Other failures (the client already left) concern one client only.
    }
}
// end tutorial

}  // namespace raii_http
