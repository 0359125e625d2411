// unique_fd: the one owner of a file descriptor, which it closes exactly once.
// Modelled on Android's libbase unique_fd. Moving hands the descriptor over;
// copying is impossible, so two owners can never close the same number.
#pragma once

#include <cerrno>
#include <unistd.h>
#include <utility>

namespace raii_http {

class unique_fd {
public:
    unique_fd() = default;
    explicit unique_fd(int fd) : fd_(fd) {}
    unique_fd(unique_fd&& other) noexcept : fd_(other.release()) {}
    unique_fd& operator=(unique_fd&& other) noexcept {
        reset(other.release());
        return *this;
    }
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    ~unique_fd() { reset(); }

    // No implicit conversion to int: every use of the raw number is visible.
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }

    // Gives up ownership; the caller must close what it gets.
    [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }

    // Closes the current descriptor (if any) and owns `fd` instead. Keeps
    // errno, so an error report made after a reset still names the real error.
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) {
            int saved = errno;
            // Never retry close after EINTR: on Linux the descriptor is
            // already gone, and retrying could close one another thread
            // just opened.
            ::close(fd_);
            errno = saved;
        }
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

}  // namespace raii_http
