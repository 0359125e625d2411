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

connection& as_connection(deadline_hook* h) { return static_cast<connection&>(*h); }

}  // namespace

event_loop::event_loop(shared_state& shared, keep_alive_limits limits)
    : shared_(shared),
      max_requests_(limits.max_requests),
      idle_(limits.timeout),
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

void event_loop::run() {
    // The listener's number, kept: the last loop to stop closes it while
    // the others may still be reading the shared state.
    const int listener = shared_.listener.get();
    poller_.add(listener, interest::read, /*shared=*/true);
    poller_.add(shared_.stop_fd, interest::read);
    std::array<event, 128> events;
    while (!stopping_ || !active_.empty() || !lingering_.empty()) {
        std::size_t n = poller_.wait(events, time_to_wait(clock::now(), resume_accepting_at_, {&idle_, &active_, &lingering_}));
        auto now = clock::now();
        // Only the event's own connection may close while the batch is
        // handled (timeouts come after it), and a wait reports a descriptor
        // once, so no later event in the batch is about a connection gone.
        // The stop first: requests that came with it are answered as the last.
        for (std::size_t i = 0; i < n; ++i)
            if (events[i].fd == shared_.stop_fd) stop_accepting();
        for (std::size_t i = 0; i < n; ++i) {
            int fd = events[i].fd;
            if (fd == listener) accept_clients(now);
            else if (fd != shared_.stop_fd) on_event(*connections_[fd], events[i], now);
        }
        // At the stop, kept connections waiting between requests close at once.
        if (stopping_) expire(idle_, clock::time_point::max());
        expire(idle_, now);    // no next request in time: closed (a FIN)
        expire(active_, now);  // a head not whole in time, or answers not read: dropped, as in 05
        expire(lingering_, now);
        if (resume_accepting_at_ && *resume_accepting_at_ <= now) resume_accepting();
    }
}

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
    connections_[fd] = std::make_unique<connection>(std::move(client), max_requests_);
    connection& c = *connections_[fd];
    // Read at once, before asking the poller: under load the request has
    // usually arrived with the connection, and then it is answered and
    // closed without ever being registered. (nginx's `listen ... deferred`
    // spares the wait another way: TCP_DEFER_ACCEPT makes the kernel hold
    // a connection back from accept until its first data arrives.)
    answers_.clear();
    c.current = on_readable(c, std::span(scratch_.get(), raii_http::head_buffer_size), answers_);
    settle(c, !answers_.empty(), now);  // from nowhere: not yet in a list or the poller
}

void event_loop::on_event(connection& c, const event& e, clock::time_point now) {
    answers_.clear();
    if (e.readable) c.current = on_readable(c, std::span(scratch_.get(), raii_http::head_buffer_size), answers_);
    if (e.writable && c.current != state::closed) c.current = on_writable(c);
    settle(c, !answers_.empty(), now);
}

deadline_list& event_loop::list_of(state s) {
    if (s == state::idle) return idle_;
    return s == state::lingering ? lingering_ : active_;
}

// After a step: the list of its new state, the poller's interest for it,
// or, once closed, gone. Its timeout starts again when it changes lists,
// and when it was answered: the keep-alive timeout runs from the last
// answer, the read timeout from the next request's first byte.
void event_loop::settle(connection& c, bool answered, clock::time_point now) {
    if (c.current == state::idle && stopping_) c.current = state::closed;  // nothing in hand: close now
    if (c.current == state::closed) return forget(c);
    deadline_list& list = list_of(c.current);
    if (c.list != &list || answered) {
        if (c.list) c.list->remove(c);
        list.push_back(c, now);
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

// SIGINT or SIGTERM: stop accepting, and let the connections in hand
// finish (the read timeout bounds them): the requests they have sent are
// answered, the last with Connection: close. Idle ones close after this
// batch of events (run). The stop descriptor stays readable, so it leaves
// the poller too, or every wait would return at once.
void event_loop::stop_accepting() {
    stopping_ = true;
    for (auto& c : connections_)
        if (c) c->stopping = true;
    resume_accepting_at_.reset();
    poller_.remove(shared_.stop_fd, interest::read);
    if (accepting_) poller_.remove(shared_.listener.get(), interest::read);
    accepting_ = false;
    // The last loop to stop closes the listener: new clients are refused
    // at once instead of waiting in its queue until the process exits.
    if (shared_.loops_accepting.fetch_sub(1) == 1) shared_.listener.reset();
}

}  // namespace evented
