// The poller on Linux: epoll. Read it beside poller_kqueue.cpp; the two
// have the same functions in the same order.
//
// epoll keeps the watched set in the kernel: epoll_ctl changes it, one
// descriptor and one change per call, and epoll_wait returns only what is
// ready, so what a wait costs does not grow with the idle connections.
#include "poller.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <sys/epoll.h>
#include <system_error>

namespace evented {
namespace {

[[noreturn]] void throw_errno(const char* what) {
    throw std::system_error(errno, std::system_category(), what);
}

// tutorial: epoll-events
std::uint32_t events_for(interest what) {
    // No EPOLLET: level-triggered (see poller.hpp).
    return what == interest::read ? EPOLLIN : EPOLLOUT;
}

void control(int epoll_fd, int op, int fd, std::uint32_t events) {
    epoll_event e{};
    e.events = events;
    e.data.fd = fd;
    if (::epoll_ctl(epoll_fd, op, fd, &e) < 0) throw_errno("epoll_ctl");
}
// end tutorial

}  // namespace

poller::poller() : fd_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (!fd_) throw_errno("epoll_create1");
}

// tutorial: epoll-add
void poller::add(int fd, interest what, bool shared) {
    // EPOLLEXCLUSIVE (Linux 4.5): a new client wakes one of the loops
    // waiting on the shared listener, not all of them.
    control(fd_.get(), EPOLL_CTL_ADD, fd, events_for(what) | (shared ? std::uint32_t{EPOLLEXCLUSIVE} : 0u));
}

void poller::change(int fd, interest /*from: epoll holds one mask per fd*/, interest to) {
    control(fd_.get(), EPOLL_CTL_MOD, fd, events_for(to));
}

void poller::remove(int fd, interest /*what*/) {
    control(fd_.get(), EPOLL_CTL_DEL, fd, 0);
}
// end tutorial

// tutorial: epoll-wait
std::size_t poller::wait(std::span<event> out, std::optional<std::chrono::milliseconds> timeout) {
    std::array<epoll_event, 128> ready;
    int max = static_cast<int>(std::min(out.size(), ready.size()));
    int ms = timeout ? static_cast<int>(std::max<long long>(timeout->count(), 0)) : -1;
    int n = ::epoll_wait(fd_.get(), ready.data(), max, ms);
    if (n < 0) {
        if (errno == EINTR) return 0;  // a signal: the caller looks at its clock and waits again
        throw_errno("epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
        // An error or hang-up counts as both: the next read or write says which.
        bool trouble = ready[i].events & (EPOLLERR | EPOLLHUP);
        out[i] = {ready[i].data.fd, trouble || (ready[i].events & EPOLLIN) != 0,
                  trouble || (ready[i].events & EPOLLOUT) != 0};
    }
    return static_cast<std::size_t>(n);
}
// end tutorial

}  // namespace evented
