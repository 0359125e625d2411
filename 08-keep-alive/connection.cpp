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

// The last answer is followed at once by our FIN, so it need not leave
// alone: sent with MSG_MORE, it waits in the socket for the FIN and both
// leave in one segment. Linux only: macOS has no MSG_MORE. An answer on a
// kept connection is sent without it: no FIN follows to push it out.
#if defined(MSG_MORE)
constexpr int fin_follows = MSG_MORE;
#else
constexpr int fin_follows = 0;
#endif

// tutorial: answer-to
// How one request is answered, decided while its bytes are at hand.
struct answer {
    int status;
    bool head_only;
    raii_http::connection_field connection;
    bool keep;  // the connection stays open after it
};

// The connection closes when the client asks to, at the last request
// allowed, and whenever the next request's start is not certain: a body
// too large to skip (413), a chunked one, a refusal (any 4xx or 5xx: the
// request may not have been what it seemed).
answer answer_to(connection& c, const raii_http::request_head& head) {
    using raii_http::connection_field;
    const raii_http::parse_result& parsed = head.parsed;
    bool complete = parsed.status == raii_http::parse_status::complete;
    if (complete && parsed.body_size.value_or(0) > max_body_size) return {413, false, connection_field::close, false};
    int status = raii_http::status_for(parsed);
    bool keep = complete && parsed.body_size && status < 400 && raii_http::persists(parsed.req) && --c.requests_left > 0;
    connection_field field = !keep                            ? connection_field::close
                             : parsed.req.version == "HTTP/1.0" ? connection_field::keep_alive
                                                              : connection_field::none;
    return {status, raii_http::is_head(parsed), field, keep};
}
// end tutorial

// After the last byte of the last answer: our FIN, by shutdown, which takes
// what MSG_MORE held back along. Then a client that sent one whole request
// and nothing more is closed at once; any other may still be sending
// (pipelined requests, a body), and closing with unread bytes makes the
// kernel send a reset that can destroy the answers before they are read:
// so linger, reading, as 05 does.
state after_last_answer(connection& c) {
    if (::shutdown(c.fd.get(), SHUT_WR) < 0) return state::closed;  // already gone
    return c.whole ? state::closed : state::lingering;
}

// Sends what it can of the answers; the rest waits for the socket to be
// writable, and meanwhile nothing more is read (back-pressure: a client
// that does not read its answers cannot make the server buffer more).
state send_answers(connection& c, std::string_view bytes) {
    ssize_t n = ::send(c.fd.get(), bytes.data(), bytes.size(), c.closing ? fin_follows : 0);
    if (n < 0 && !try_later()) return state::closed;  // client gone (EPIPE: SIGPIPE is ignored)
    std::size_t sent = n < 0 ? 0 : static_cast<std::size_t>(n);
    if (sent < bytes.size()) {
        c.unsent.assign(bytes.substr(sent));
        return state::writing;
    }
    std::string().swap(c.unsent);  // its memory too
    if (c.closing) return after_last_answer(c);
    return c.reader.idle() ? state::idle : state::reading_head;
}

// tutorial: read-requests
// Reads what has arrived: into the loop's scratch buffer, or after the
// pieces of a head that came before it, which the reader keeps. Every
// request that came whole is answered, in order, and the answers leave in
// one send: a pipelining client's requests of one read cost one write.
state read_requests(connection& c, std::span<char> scratch, std::string& answers) {
    std::span<char> room = c.reader.room(scratch);
    ssize_t n = ::recv(c.fd.get(), room.data(), room.size(), 0);
    if (n < 0) return try_later() ? c.current : state::closed;
    // n == 0: the client stopped sending; answer what it sent, as 03 does.
    raii_http::request_head head = n > 0 ? c.reader.received(room.first(n)) : c.reader.ended();
    if (head.next == raii_http::next_step::close) return state::closed;  // nothing begun
    c.closing = false;
    while (!c.closing && head.next == raii_http::next_step::answer) {
        answer a = answer_to(c, head);
        c.whole = head.whole;
        raii_http::request_head next = a.keep ? c.reader.next(head) : raii_http::request_head{};
        // Stopping: the last request in hand is the last, and says so.
        c.closing = !a.keep || (c.stopping && next.next != raii_http::next_step::answer);
        answers += raii_http::answer_bytes(a.status, a.head_only,
                                           c.closing ? raii_http::connection_field::close : a.connection);
        head = next;
    }
    if (answers.empty()) return c.reader.idle() ? state::idle : state::reading_head;
    return send_answers(c, answers);
}
// end tutorial

// Lingering: read and drop; the end of the stream (or an error) ends it.
state drain(connection& c, std::span<char> scratch) {
    ssize_t n = ::recv(c.fd.get(), scratch.data(), scratch.size(), 0);
    if (n > 0 || (n < 0 && try_later())) return state::lingering;
    return state::closed;
}

}  // namespace

state on_readable(connection& c, std::span<char> scratch, std::string& answers) {
    switch (c.current) {
    case state::idle:
    case state::reading_head: return read_requests(c, scratch, answers);
    case state::lingering: return drain(c, scratch);
    case state::writing:  // waiting for write: an error shows in the write
    case state::closed: break;
    }
    return c.current;
}

state on_writable(connection& c) {
    if (c.current != state::writing) return c.current;
    std::string rest = std::move(c.unsent);
    return send_answers(c, rest);
}

std::optional<interest> interest_of(state s) {
    switch (s) {
    case state::idle:
    case state::reading_head:
    case state::lingering: return interest::read;
    case state::writing: return interest::write;
    case state::closed: break;
    }
    return std::nullopt;
}

}  // namespace evented
