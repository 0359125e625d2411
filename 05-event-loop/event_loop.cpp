#include "event_loop.hpp"

#include "connection_limit.hpp"
#include "http.hpp"
#include "server.hpp"

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <system_error>
#include <sys/socket.h>

namespace evented {
namespace {

// How many clients one wake-up of the listener may accept before the loop
// serves its other events: a burst cannot starve the connections in hand.
constexpr int accept_batch = 64;

// tutorial: accept-nonblocking
// A new connection, already non-blocking. Linux does it in one call with
// accept4; macOS has no accept4, so there it takes fcntl as well.
raii_http::unique_fd accept_nonblocking(int listener) {
#if defined(__linux__)
    return raii_http::unique_fd(::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
#else
    raii_http::unique_fd fd(::accept(listener, nullptr, nullptr));
    if (fd) {
        ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) | O_NONBLOCK);
        ::fcntl(fd.get(), F_SETFD, FD_CLOEXEC);
    }
    return fd;
#endif
}
// end tutorial

connection& as_connection(deadline_hook* h) { return static_cast<connection&>(*h); }

}  // namespace

event_loop::event_loop(shared_state& shared)
    : shared_(shared),
      active_(shared.read_timeout),
      lingering_(raii_http::linger_time),
      scratch_(std::unique_ptr<char[]>(new char[raii_http::head_buffer_size])) {
    // Counted here, before any loop runs: no loop can then be the last to
    // stop accepting (and close the listener) while another has yet to start.
    ++shared_.loops_accepting;
}

event_loop::~event_loop() {
    // Normally empty by now; after an exception, close what is left.
    for (auto& c : connections_)
        if (c) forget(*c);
}

// tutorial: run
void event_loop::run() {
    // The listener's number, kept: the last loop to stop closes it while
    // the others may still be reading the shared state.
    const int listener = shared_.listener.get();
    poller_.add(listener, interest::read, /*shared=*/true);
    poller_.add(shared_.stop_fd, interest::read);
    std::array<event, 128> events;
    while (!stopping_ || !active_.empty() || !lingering_.empty()) {
        std::size_t n = poller_.wait(events, time_to_wait(clock::now(), resume_accepting_at_, {&active_, &lingering_}));
        auto now = clock::now();
        // Only the event's own connection may close while the batch is
        // handled (timeouts come after it), and a wait reports a descriptor
        // once, so no later event in the batch is about a connection gone.
        for (std::size_t i = 0; i < n; ++i) {
            int fd = events[i].fd;
            if (fd == listener) accept_clients(now);
            else if (fd == shared_.stop_fd) stop_accepting();
            else on_event(*connections_[fd], events[i], now);
        }
        expire(active_, now);  // a head not whole in time: dropped unanswered, as in 03
        expire(lingering_, now);
        if (resume_accepting_at_ && *resume_accepting_at_ <= now) resume_accepting();
    }
}
// end tutorial

// tutorial: accept-clients
void event_loop::accept_clients(clock::time_point now) {
    // Not after stopping or pausing earlier in the same batch of events:
    // the listener may be closed by now.
    for (int i = 0; i < accept_batch && accepting_; ++i) {
        raii_http::unique_fd client = accept_nonblocking(shared_.listener.get());
        if (!client) {
            int error = errno;
            if (error == ECONNABORTED || error == EINTR) continue;  // that client only
            // EMFILE, ENFILE: out of descriptors. The client stays queued and
            // a level-triggered poller would report it again at once, so stop
            // watching the listener for a moment instead of spinning.
            if (error == EMFILE || error == ENFILE) pause_accepting(now);
            return;  // EAGAIN: none left (another loop may have taken it)
        }
        if (shared_.open_connections.fetch_add(1) >= shared_.max_connections) {
            shared_.open_connections.fetch_sub(1);
            raii_http::refuse(std::move(client));
            continue;
        }
        start(std::move(client), now);
    }
}

void event_loop::start(raii_http::unique_fd client, clock::time_point now) {
    int fd = client.get();
    if (connections_.size() <= static_cast<std::size_t>(fd)) connections_.resize(fd + 1);
    connections_[fd] = std::make_unique<connection>(std::move(client));
    connection& c = *connections_[fd];
    // Read at once, before asking the poller: under load the request has
    // usually arrived with the connection, and then it is answered and
    // closed without ever being registered. (nginx's `listen ... deferred`
    // spares the wait another way: TCP_DEFER_ACCEPT makes the kernel hold
    // a connection back from accept until its first data arrives.)
    c.current = on_readable(c, std::span(scratch_.get(), raii_http::head_buffer_size));
    settle(c, state::closed, now);  // from nowhere: not yet in a list or the poller
}
// end tutorial

void event_loop::on_event(connection& c, const event& e, clock::time_point now) {
    state from = c.current;
    if (e.readable) c.current = on_readable(c, std::span(scratch_.get(), raii_http::head_buffer_size));
    if (e.writable && c.current != state::closed) c.current = on_writable(c);
    settle(c, from, now);
}

// tutorial: settle
// After a step: the list of its new state, the poller's interest for it,
// or, once closed, gone. Most requests go from accept to closed in one
// step and never reach a list or the poller at all.
void event_loop::settle(connection& c, state from, clock::time_point now) {
    if (c.current == state::closed) return forget(c);
    if (c.list == nullptr || (from == state::lingering) != (c.current == state::lingering)) {
        if (c.list) c.list->remove(c);
        (c.current == state::lingering ? lingering_ : active_).push_back(c, now);
    }
    interest wanted = *interest_of(c.current);
    try {
        if (!c.watching) poller_.add(c.fd.get(), wanted);
        else if (*c.watching != wanted) poller_.change(c.fd.get(), *c.watching, wanted);
        c.watching = wanted;
    } catch (const std::system_error&) {
        forget(c);  // the kernel is out of room for it (ENOMEM, ENOSPC): this client only
    }
}
// end tutorial

void event_loop::forget(connection& c) {
    if (c.list) c.list->remove(c);
    shared_.open_connections.fetch_sub(1);
    // Closing the descriptor also takes it out of the poller.
    connections_[c.fd.get()].reset();
}

void event_loop::expire(deadline_list& list, clock::time_point now) {
    while (!list.empty() && list.front()->deadline <= now) forget(as_connection(list.front()));
}

void event_loop::pause_accepting(clock::time_point now) {
    if (!accepting_) return;
    poller_.remove(shared_.listener.get(), interest::read);
    accepting_ = false;
    resume_accepting_at_ = now + raii_http::accept_pause;
}

void event_loop::resume_accepting() {
    resume_accepting_at_.reset();
    if (stopping_ || accepting_) return;
    poller_.add(shared_.listener.get(), interest::read, /*shared=*/true);
    accepting_ = true;
}

// tutorial: stop-accepting
// SIGINT or SIGTERM: stop accepting, and let the connections in hand
// finish (the read timeout bounds them). The stop descriptor stays
// readable, so it leaves the poller too, or every wait would return at once.
void event_loop::stop_accepting() {
    stopping_ = true;
    resume_accepting_at_.reset();
    poller_.remove(shared_.stop_fd, interest::read);
    if (accepting_) poller_.remove(shared_.listener.get(), interest::read);
    accepting_ = false;
    // The last loop to stop closes the listener: new clients are refused
    // at once instead of waiting in its queue until the process exits.
    if (shared_.loops_accepting.fetch_sub(1) == 1) shared_.listener.reset();
}
// end tutorial

}  // namespace evented
