// The poller on macOS and the BSDs: kqueue. Read it beside poller_epoll.cpp;
// the two have the same functions in the same order.
//
// kqueue also keeps the watched set in the kernel. Where epoll has one
// mask per descriptor, kqueue has one filter per (descriptor, direction):
// EVFILT_READ and EVFILT_WRITE are separate entries, added and deleted
// with EV_SET, and one kevent() call can both apply changes and wait.
#include "poller.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <system_error>
#include <sys/types.h>  // before sys/event.h: older BSD headers need it first
#include <sys/event.h>
#include <sys/time.h>

namespace evented {
namespace {

[[noreturn]] void throw_errno(const char* what) {
    throw std::system_error(errno, std::system_category(), what);
}

// tutorial: kqueue-events
short filter_for(interest what) {
    // No EV_CLEAR: level-triggered (see poller.hpp).
    return what == interest::read ? EVFILT_READ : EVFILT_WRITE;
}

void control(int kqueue_fd, std::span<struct kevent> changes) {
    if (::kevent(kqueue_fd, changes.data(), static_cast<int>(changes.size()), nullptr, 0, nullptr) < 0)
        throw_errno("kevent");
}
// end tutorial

}  // namespace

poller::poller() : fd_(::kqueue()) {
    if (!fd_) throw_errno("kqueue");
}

// tutorial: kqueue-add
void poller::add(int fd, interest what, bool /*shared*/) {
    // No EPOLLEXCLUSIVE here: a new client wakes every loop waiting on the
    // shared listener; one accept wins and the others get EAGAIN.
    struct kevent change;
    EV_SET(&change, fd, filter_for(what), EV_ADD, 0, 0, nullptr);
    control(fd_.get(), std::span(&change, 1));
}

void poller::change(int fd, interest from, interest to) {
    std::array<struct kevent, 2> changes;
    EV_SET(&changes[0], fd, filter_for(from), EV_DELETE, 0, 0, nullptr);
    EV_SET(&changes[1], fd, filter_for(to), EV_ADD, 0, 0, nullptr);
    control(fd_.get(), changes);
}

void poller::remove(int fd, interest what) {
    struct kevent change;
    EV_SET(&change, fd, filter_for(what), EV_DELETE, 0, 0, nullptr);
    control(fd_.get(), std::span(&change, 1));
}
// end tutorial

// tutorial: kqueue-wait
std::size_t poller::wait(std::span<event> out, std::optional<std::chrono::milliseconds> timeout) {
    std::array<struct kevent, 128> ready;
    int max = static_cast<int>(std::min(out.size(), ready.size()));
    timespec limit{};
    if (timeout) {
        auto ms = std::max<long long>(timeout->count(), 0);
        limit.tv_sec = static_cast<time_t>(ms / 1000);
        limit.tv_nsec = static_cast<long>(ms % 1000 * 1'000'000);
    }
    int n = ::kevent(fd_.get(), nullptr, 0, ready.data(), max, timeout ? &limit : nullptr);
    if (n < 0) {
        if (errno == EINTR) return 0;  // a signal: the caller looks at its clock and waits again
        throw_errno("kevent");
    }
    for (int i = 0; i < n; ++i) {
        // An error counts as both: the next read or write says which. (EV_EOF
        // on a read filter still means readable: the read returns 0.)
        bool trouble = (ready[i].flags & EV_ERROR) != 0;
        out[i] = {static_cast<int>(ready[i].ident), trouble || ready[i].filter == EVFILT_READ,
                  trouble || ready[i].filter == EVFILT_WRITE};
    }
    return static_cast<std::size_t>(n);
}
// end tutorial

}  // namespace evented
