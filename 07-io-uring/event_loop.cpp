#include "event_loop.hpp"

#include "connection_limit.hpp"
#include "http.hpp"
#include "server.hpp"

#include <algorithm>
#include <cerrno>
#include <poll.h>
#include <string>
#include <sys/mman.h>
#include <sys/socket.h>
#include <system_error>

namespace ring {
namespace {

// Submissions the ring holds before a batch must go in; completions never
// get lost when more arrive than its queue holds (IORING_FEAT_NODROP).
constexpr unsigned ring_entries = 256;

// Receive buffers in the pool, a power of two, as a buffer ring needs. A
// receive that completes while the pool is empty ends with ENOBUFS and is
// asked again (connection.cpp), once handled completions give buffers back.
constexpr unsigned pool_buffers = 64;
constexpr int pool_group = 0;
std::size_t pool_bytes() { return pool_buffers * (sizeof(io_uring_buf) + raii_http::head_buffer_size); }

// user_data says what a completion is about: a connection's address (its
// receive) or a marker (no connection lives at such a small address).
// Sends, shutdowns and closes report only a failure (IOSQE_CQE_SKIP_SUCCESS)
// and, like cancels, need nothing more: a request answered at its first
// receive costs two completions, accepted and received.
constexpr std::uint64_t ignored = 0, accept_marker = 1, stop_marker = 2;

// As in 05, the answer waits with MSG_MORE for the FIN that shutdown sends,
// and both leave in one segment. MSG_WAITALL: a short send goes on until
// all is sent, so the shutdown after it never cuts the answer short.
constexpr int send_flags = MSG_MORE | MSG_WAITALL;

// io_uring missing (ENOSYS), forbidden (EPERM) or too old for a call
// (EINVAL) is ring_unavailable; any other failure (out of memory or
// descriptors) a plain error.
[[noreturn]] void fail(io_uring* ring, const char* call, int error) {
    if (ring) io_uring_queue_exit(ring);
    if (error == ENOSYS || error == EPERM || error == EINVAL) throw ring_unavailable(error, std::system_category(), call);
    throw std::system_error(error, std::system_category(), call);
}

}  // namespace

event_loop::event_loop(shared_state& shared)
    : shared_(shared), reading_(shared.read_timeout), lingering_(raii_http::linger_time) {
    // Linux 6.1: the ring is its loop's alone (the loop's thread enables it),
    // and the kernel finishes its part of the work (a receive that waited
    // for bytes) only when the loop asks for completions, a batch at a time,
    // instead of interrupting the loop for each. Older kernels: without.
    io_uring_params params{.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
                                    IORING_SETUP_R_DISABLED};
    int r = io_uring_queue_init_params(ring_entries, &ring_, &params);
    if (r == -EINVAL) r = io_uring_queue_init_params(ring_entries, &ring_, &(params = {}));
    if (r < 0) fail(nullptr, "io_uring_setup", -r);

    // Linux 5.19, as multishot accept: the pool of receive buffers. Every
    // other feature used here (hard links, skipped completions, waits with
    // a timeout in one call) is older. One mapping, page-aligned as the
    // kernel needs: the ring of the buffers' addresses, then the buffers,
    // each resident only once the kernel writes into it.
    void* memory = ::mmap(nullptr, pool_bytes(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) fail(&ring_, "mmap", errno);
    pool_ = static_cast<io_uring_buf_ring*>(memory);
    io_uring_buf_reg reg{.ring_addr = reinterpret_cast<std::uintptr_t>(memory),
                         .ring_entries = pool_buffers,
                         .bgid = pool_group};
    if (r = io_uring_register_buf_ring(&ring_, &reg, 0); r < 0) {
        ::munmap(memory, pool_bytes());
        fail(&ring_, "io_uring_register_buf_ring", -r);
    }
    buffers_ = static_cast<char*>(memory) + pool_buffers * sizeof(io_uring_buf);
    io_uring_buf_ring_init(pool_);
    for (unsigned i = 0; i < pool_buffers; ++i)
        io_uring_buf_ring_add(pool_, buffers_ + i * raii_http::head_buffer_size, raii_http::head_buffer_size, i,
                              io_uring_buf_ring_mask(pool_buffers), i);
    io_uring_buf_ring_advance(pool_, pool_buffers);
    // Counted here, before any loop runs: no loop can then be the last to
    // stop accepting (and close the listener) while another has yet to start.
    ++shared_.loops_accepting;
}

event_loop::~event_loop() {
    io_uring_queue_exit(&ring_);  // cancels whatever is still in the ring
    ::munmap(pool_, pool_bytes());
}

// tutorial: uring-run
void event_loop::run() {
    if (ring_.flags & IORING_SETUP_R_DISABLED) io_uring_enable_rings(&ring_);  // ours from now on
    accept_clients();
    io_uring_sqe* s = next_sqe(1);
    io_uring_prep_poll_add(s, shared_.stop_fd, POLLIN);  // a poll, not a read: every loop sees it
    io_uring_sqe_set_data64(s, stop_marker);
    while (!stopping_ || live_ > 0 || accepting_) {
        // One system call submits everything prepared since the last one
        // and waits for at least one completion (or the next deadline).
        __kernel_timespec ts{};
        auto wait = evented::time_to_wait(clock::now(), resume_accepting_at_, {&reading_, &lingering_});
        if (wait) ts = {.tv_sec = wait->count() / 1000, .tv_nsec = wait->count() % 1000 * 1'000'000};
        io_uring_cqe* first = nullptr;
        int r = io_uring_submit_and_wait_timeout(&ring_, &first, 1, wait ? &ts : nullptr, nullptr);
        if (r < 0 && r != -ETIME && r != -EINTR && r != -EBUSY && r != -EAGAIN)
            throw std::system_error(-r, std::system_category(), "io_uring_enter");
        auto now = clock::now();
        unsigned head, seen = 0;
        io_uring_cqe* cqe;
        io_uring_for_each_cqe(&ring_, head, cqe) {
            if (cqe->user_data == accept_marker) on_accepted(*cqe, now);
            else if (cqe->user_data == stop_marker) stop_accepting();
            else if (cqe->user_data != ignored)
                on_received(*static_cast<connection*>(io_uring_cqe_get_data(cqe)), *cqe, now);
            ++seen;
        }
        io_uring_cq_advance(&ring_, seen);
        expire(reading_, now);  // a head not whole in time: dropped unanswered, as in 03
        expire(lingering_, now);
        if (resume_accepting_at_ && *resume_accepting_at_ <= now) {
            resume_accepting_at_.reset();
            if (!stopping_) accept_clients();
        }
    }
    // The last chains go in, and the kernel runs what it can of them now;
    // whatever is left ends with the process, which closes every descriptor.
    io_uring_submit_and_get_events(&ring_);
}
// end tutorial

// A free submission entry; when the queue is full, what it holds goes in
// first. `chain`: how many entries in a row are about to be taken, since a
// linked chain must go in within one submission.
io_uring_sqe* event_loop::next_sqe(unsigned chain) {
    if (io_uring_sq_space_left(&ring_) < chain) io_uring_submit(&ring_);
    return io_uring_get_sqe(&ring_);
}

// One submission, and the ring accepts client after client, each a completion.
void event_loop::accept_clients() {
    io_uring_sqe* s = next_sqe(1);
    io_uring_prep_multishot_accept(s, shared_.listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
    io_uring_sqe_set_data64(s, accept_marker);
    accepting_ = true;
}

void event_loop::on_accepted(const io_uring_cqe& cqe, clock::time_point now) {
    if (!(cqe.flags & IORING_CQE_F_MORE)) {  // the accept ended: ask again, unless stopping
        accepting_ = false;
        // A failure (EMFILE, ENFILE: out of descriptors, and the client stays
        // queued): asked again at once, it would fail again at once. Pause.
        if (cqe.res < 0 && cqe.res != -ECANCELED) resume_accepting_at_ = now + raii_http::accept_pause;
        else if (!stopping_) accept_clients();
    }
    if (cqe.res < 0) return;
    if (shared_.open_connections.fetch_add(1) >= shared_.max_connections) {
        shared_.open_connections.fetch_sub(1);
        return raii_http::refuse(raii_http::unique_fd(cqe.res));
    }
    auto* c = new connection(cqe.res);  // deleted once its close is in the ring (settle)
    ++live_;
    settle(*c, state::reading_head, now);
}

void event_loop::on_received(connection& c, const io_uring_cqe& cqe, clock::time_point now) {
    char* pooled = nullptr;  // the pool's buffer the kernel picked, if it picked one
    unsigned short id = cqe.flags >> IORING_CQE_BUFFER_SHIFT;
    if (cqe.flags & IORING_CQE_F_BUFFER) pooled = buffers_ + id * raii_http::head_buffer_size;
    state from = c.current;
    if (c.current == state::reading_head) c.current = on_head_received(c, cqe.res, pooled);
    else if (c.current == state::lingering) c.current = on_drained(c, cqe.res);
    // closing: timed out, and whatever came is dropped
    if (pooled) {  // read (or copied): back into the pool
        io_uring_buf_ring_add(pool_, pooled, raii_http::head_buffer_size, id, io_uring_buf_ring_mask(pool_buffers), 0);
        io_uring_buf_ring_advance(pool_, 1);
    }
    settle(c, from, now);
}

// tutorial: uring-settle
// After a step: the deadline list of its new state, and what it needs in
// the ring. Once its close is in the ring, the connection is done with: the
// ring finishes it, and a send before the close reads prebuilt bytes.
void event_loop::settle(connection& c, state from, clock::time_point now) {
    evented::deadline_list* list = c.current == state::reading_head ? &reading_
                                 : c.current == state::lingering    ? &lingering_
                                                                    : nullptr;
    if (c.list != list) {
        if (c.list) c.list->remove(c);
        if (list) list->push_back(c, now);
    }
    bool answer_now = from == state::reading_head && (c.current == state::answering || c.current == state::lingering);
    if (answer_now) {  // a chain of three: send, shutdown, then close or receive
        io_uring_sqe* send = next_sqe(3);
        io_uring_prep_send(send, c.fd, c.answer.data(), c.answer.size(), send_flags);
        io_uring_sqe* shut = next_sqe(2);
        io_uring_prep_shutdown(shut, c.fd, SHUT_WR);
        for (io_uring_sqe* s : {send, shut}) {
            io_uring_sqe_set_data64(s, ignored);
            // The next starts once this ended, even if it failed (the client
            // gone): the close after it must run all the same.
            s->flags |= IOSQE_IO_HARDLINK | IOSQE_CQE_SKIP_SUCCESS;
        }
    }
    if (c.current == state::reading_head || c.current == state::lingering) return receive(c);
    io_uring_sqe* close = next_sqe(1);  // answering or closing
    io_uring_prep_close(close, c.fd);
    io_uring_sqe_set_data64(close, ignored);
    close->flags |= IOSQE_CQE_SKIP_SUCCESS;
    shared_.open_connections.fetch_sub(1);  // out of its list already
    --live_;
    delete &c;
}
// end tutorial

// The kernel picks a buffer from the pool only when bytes arrive
// (IOSQE_BUFFER_SELECT), and fills no more than the head has room left.
void event_loop::receive(connection& c) {
    std::size_t room = c.current == state::reading_head ? c.reader.room_size() : raii_http::head_buffer_size;
    io_uring_sqe* s = next_sqe(1);
    io_uring_prep_recv(s, c.fd, nullptr, room, 0);
    s->flags |= IOSQE_BUFFER_SELECT;
    s->buf_group = pool_group;
    io_uring_sqe_set_data(s, &c);
}

// A connection past its deadline has a receive in the ring: cancel it. Its
// completion (cancelled, or bytes that raced the cancel) then closes it.
void event_loop::expire(evented::deadline_list& list, clock::time_point now) {
    while (!list.empty() && list.front()->deadline <= now) {
        auto& c = static_cast<connection&>(*list.front());
        list.remove(c);
        c.current = state::closing;
        io_uring_sqe* s = next_sqe(1);
        io_uring_prep_cancel(s, &c, 0);
        io_uring_sqe_set_data64(s, ignored);
    }
}

// SIGINT or SIGTERM: stop accepting, and let the connections in hand
// finish (the read timeout bounds them). The ring cancels the accept; its
// last completion says it is gone.
void event_loop::stop_accepting() {
    stopping_ = true;
    resume_accepting_at_.reset();
    if (accepting_) {
        io_uring_sqe* s = next_sqe(1);
        io_uring_prep_cancel64(s, accept_marker, 0);
        io_uring_sqe_set_data64(s, ignored);
    }
    // The last loop to stop closes the listener: new clients are refused
    // at once instead of waiting in its queue until the process exits.
    if (shared_.loops_accepting.fetch_sub(1) == 1) shared_.listener.reset();
}

}  // namespace ring
