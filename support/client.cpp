#include "client.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace workshop {

socket_fd& socket_fd::operator=(socket_fd&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.release();
    }
    return *this;
}

socket_fd::~socket_fd() {
    if (fd_ >= 0) ::close(fd_);
}

int socket_fd::release() noexcept {
    int fd = fd_;
    fd_ = -1;
    return fd;
}

sockaddr_in loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

socket_fd connect_to(int port) {
    socket_fd fd(::socket(AF_INET, SOCK_STREAM, 0));
    if (fd.get() < 0) return fd;
    // Not inherited by the servers the tests start: a stray copy there
    // would keep this connection open after the test closes it.
    ::fcntl(fd.get(), F_SETFD, FD_CLOEXEC);
    sockaddr_in addr = loopback(port);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return {};
    return fd;
}

socket_fd connect_to(int port, std::chrono::milliseconds limit) {
    socket_fd fd(::socket(AF_INET, SOCK_STREAM, 0));
    if (fd.get() < 0) return fd;
    ::fcntl(fd.get(), F_SETFD, FD_CLOEXEC);
    int flags = ::fcntl(fd.get(), F_GETFL);
    ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK);
    sockaddr_in addr = loopback(port);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        if (errno != EINPROGRESS) return {};
        pollfd p{fd.get(), POLLOUT, 0};
        if (::poll(&p, 1, static_cast<int>(limit.count())) != 1) return {};
        int error = 0;
        socklen_t len = sizeof error;
        if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) return {};
    }
    ::fcntl(fd.get(), F_SETFL, flags);
    return fd;
}

bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        // MSG_NOSIGNAL: a server that has closed must fail the test, not kill it.
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

void reset_connection(socket_fd fd) {
    linger lin{1, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &lin, sizeof lin);
}  // fd closes here

reply read_to_end(int fd, std::chrono::milliseconds limit) {
    reply r;
    auto deadline = std::chrono::steady_clock::now() + limit;
    char buf[16384];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return r;  // r.end is still timeout
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) == 0) return r;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
            r.bytes.append(buf, static_cast<size_t>(n));
        } else if (n == 0) {
            r.end = ending::eof;
            return r;
        } else if (errno != EINTR) {
            r.end = errno == ECONNRESET ? ending::reset : ending::timeout;
            return r;
        }
    }
}

reply exchange(int port, std::string_view request, std::chrono::milliseconds limit) {
    socket_fd fd = connect_to(port);
    if (fd.get() < 0 || !send_all(fd.get(), request)) return {"", ending::refused};
    return read_to_end(fd.get(), limit);
}

reply send_and_half_close(int port, std::string_view request) {
    socket_fd fd = connect_to(port);
    if (fd.get() < 0) return {"", ending::refused};
    send_all(fd.get(), request);
    ::shutdown(fd.get(), SHUT_WR);
    return read_to_end(fd.get());
}

std::string visible(std::string_view bytes) {
    std::string out;
    for (char c : bytes) {
        if (c == '\r') out += "\\r";
        else if (c == '\n') out += "\\n\n";
        else out += c;
    }
    return out;
}

std::string first_line(std::string_view bytes) {
    if (bytes.empty()) return "nothing";
    std::string_view line = bytes.substr(0, bytes.find("\r\n"));
    std::string text(line.substr(0, 60));
    for (char& c : text)
        if (static_cast<unsigned char>(c) < ' ' || static_cast<unsigned char>(c) > '~') c = '?';
    return line.size() > 60 ? text + "..." : text;
}

const char* to_string(ending e) {
    switch (e) {
        case ending::eof: return "clean end of stream";
        case ending::reset: return "connection reset";
        case ending::timeout: return "timeout";
        case ending::refused: return "could not connect or send";
    }
    return "?";
}

std::string read_exactly(int fd, std::size_t size, std::chrono::milliseconds limit) {
    std::string bytes;
    auto deadline = std::chrono::steady_clock::now() + limit;
    char buffer[4096];
    while (bytes.size() < size) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        ssize_t n = ::recv(fd, buffer, std::min(sizeof buffer, size - bytes.size()), 0);
        if (n <= 0) break;
        bytes.append(buffer, static_cast<std::size_t>(n));
    }
    return bytes;
}

}  // namespace workshop
