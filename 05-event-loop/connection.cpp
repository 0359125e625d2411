#include "connection.hpp"

#include "http.hpp"

#include <cerrno>
#include <string_view>
#include <sys/socket.h>
#include <unistd.h>

namespace evented {
namespace {

// A call that would block, or was interrupted: try again when the poller says.
bool try_later() {
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

// tutorial: answer-and-fin
// Every answer is followed at once by our FIN, so it need not leave alone:
// sent with MSG_MORE, it waits in the socket for the FIN and both leave in
// one segment, so the client's ACK in between is spared. Linux only: macOS
// has no MSG_MORE, and its nearest, the TCP_NOPUSH socket option, would
// cost a system call per connection; there the answer leaves at once and
// the FIN follows in a segment of its own.
#if defined(MSG_MORE)
constexpr int fin_follows = MSG_MORE;
#else
constexpr int fin_follows = 0;
#endif

// After the last byte of the answer: our FIN, by shutdown, which takes what
// MSG_MORE held back along. Close alone would not do: with bytes of the
// client's unread, close sends a reset instead, and drops the answer still
// held. Then a client that sent one whole request and nothing more is closed
// at once; any other may still be sending, and closing with unread bytes
// makes the kernel send a reset that can destroy the answer before it is
// read: so linger, reading, as 03's close_after_answer does.
state after_answer(connection& c) {
    if (::shutdown(c.fd.get(), SHUT_WR) < 0) return state::closed;  // already gone
    return c.whole ? state::closed : state::lingering;
}

// Sends what it can of the answer; the rest waits for the socket to be writable.
state send_answer(connection& c, std::string_view bytes) {
    ssize_t n = ::send(c.fd.get(), bytes.data(), bytes.size(), fin_follows);
    if (n < 0 && !try_later()) return state::closed;  // client gone (EPIPE: SIGPIPE is ignored)
    std::size_t sent = n < 0 ? 0 : static_cast<std::size_t>(n);
    c.unsent = bytes.substr(sent);
    if (!c.unsent.empty()) return state::writing;
    return after_answer(c);
}
// end tutorial

state answer(connection& c, const raii_http::request_head& head) {
    c.whole = head.whole;
    std::string_view response = raii_http::answer_bytes(head.parsed);
    c.reader.clear();  // the head is answered: its buffer goes (head's views with it)
    return send_answer(c, response);
}

// tutorial: read-head
// Reads what has arrived of the head: into the loop's scratch buffer, or
// after the pieces that came before it, which the reader keeps.
state read_head(connection& c, std::span<char> scratch) {
    std::span<char> room = c.reader.room(scratch);
    ssize_t n = ::recv(c.fd.get(), room.data(), room.size(), 0);
    if (n < 0) return try_later() ? state::reading_head : state::closed;
    // n == 0: the client stopped sending; answer what it sent, as 03 does.
    raii_http::request_head head = n > 0 ? c.reader.received(room.first(n)) : c.reader.ended();
    switch (head.next) {
    case raii_http::next_step::read_more: return state::reading_head;
    case raii_http::next_step::close: return state::closed;  // it sent nothing at all
    case raii_http::next_step::answer: break;
    }
    return answer(c, head);
}
// end tutorial

// Lingering: read and drop; the end of the stream (or an error) ends it.
state drain(connection& c, std::span<char> scratch) {
    ssize_t n = ::recv(c.fd.get(), scratch.data(), scratch.size(), 0);
    if (n > 0 || (n < 0 && try_later())) return state::lingering;
    return state::closed;
}

}  // namespace

// tutorial: on-events
state on_readable(connection& c, std::span<char> scratch) {
    switch (c.current) {
    case state::reading_head: return read_head(c, scratch);
    case state::lingering: return drain(c, scratch);
    case state::writing:  // waiting for write: an error shows in the write
    case state::closed: break;
    }
    return c.current;
}

state on_writable(connection& c) {
    if (c.current != state::writing) return c.current;
    return send_answer(c, c.unsent);
}
// end tutorial

std::optional<interest> interest_of(state s) {
    switch (s) {
    case state::reading_head:
    case state::lingering: return interest::read;
    case state::writing: return interest::write;
    case state::closed: break;
    }
    return std::nullopt;
}

}  // namespace evented
