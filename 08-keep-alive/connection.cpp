#include "connection.hpp"

#include "http.hpp"
#include "server.hpp"

#include <algorithm>
#include <array>
#include <cctype>
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

bool iequals(std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

// RFC 9112 §9.3: an HTTP/1.1 connection persists unless the request says
// Connection: close; an HTTP/1.0 one closes unless it says keep-alive.
// The field is a list: "keep-alive, Upgrade" holds keep-alive.
bool asks_to_keep(const raii_http::request& req) {
    bool close = false, keep_alive = false;
    for (const auto& h : req.headers) {
        if (!iequals(h.name, "Connection")) continue;
        std::string_view list = h.value;
        while (!list.empty()) {
            std::size_t comma = std::min(list.find(','), list.size());
            std::string_view option = list.substr(0, comma);
            option.remove_prefix(std::min(option.find_first_not_of(" \t"), option.size()));
            option = option.substr(0, option.find_last_not_of(" \t") + 1);
            close = close || iequals(option, "close");
            keep_alive = keep_alive || iequals(option, "keep-alive");
            list.remove_prefix(std::min(comma + 1, list.size()));
        }
    }
    if (close) return false;
    return req.version != "HTTP/1.0" || keep_alive;
}

// The page's answer, built once for each Connection line it can carry (as
// the article's is): "close" (the golden bytes), none (a kept HTTP/1.1
// connection) and "keep-alive" (a kept HTTP/1.0 one).
const std::string& page_answer(std::string_view connection) {
    static const std::array<std::string, 3> answers = [] {
        raii_http::response page = raii_http::respond_to(raii_http::parse_request("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        std::array<std::string, 3> built;
        for (std::string_view c : {"close", "", "keep-alive"}) {
            page.connection = c;
            built[c.empty() ? 1 : c == "close" ? 0 : 2] = page.serialize();
        }
        return built;
    }();
    return answers[connection.empty() ? 1 : connection == "close" ? 0 : 2];
}

// A whole request, or a refusal, follows the one in `head` among the
// bytes already received (the stop answers it too, so it is not the last).
bool more_in_hand(const raii_http::request_head& head) {
    std::string_view rest = head.after;
    if (head.body_size.value_or(UINT64_MAX) > rest.size()) return false;
    rest.remove_prefix(static_cast<std::size_t>(*head.body_size));
    return !rest.empty() && raii_http::parse_request(rest).status != raii_http::parse_status::incomplete;
}

// Appends the answer to one request to `answers`; returns whether the
// connection stays open after it. It closes when the client asks to, at
// the last request allowed, and whenever the next request's start is not
// certain: a body too large to skip (413), a chunked one, a refusal.
bool add_answer(connection& c, const raii_http::request_head& head, std::string& answers) {
    const raii_http::parse_result& parsed = head.parsed;
    c.whole = head.whole;
    bool complete = parsed.status == raii_http::parse_status::complete;
    if (complete && head.body_size.value_or(0) > max_body_size) {
        answers += raii_http::error_page(413, "Content Too Large").serialize();
        return false;
    }
    // Stopping, the last request in hand gets Connection: close (the signal
    // may have reached another thread before this loop read the stop pipe).
    bool stopping = c.stopping || raii_http::stop_signal::arrived();
    bool keep = complete && head.body_size && asks_to_keep(parsed.req) && --c.requests_left > 0 &&
                !(stopping && !more_in_hand(head));
    std::string_view connection = !keep ? "close" : parsed.req.version == "HTTP/1.0" ? "keep-alive" : "";
    if (complete && parsed.req.method == "GET" && parsed.req.path == "/") {
        answers += page_answer(connection);
        return keep;
    }
    raii_http::response r = raii_http::respond_to(parsed);
    if (r.status >= 400) keep = false;  // the request may not have been what it seemed
    r.connection = keep ? connection : "close";
    answers += r.serialize();
    return keep;
}

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
    answers.clear();
    bool keep = true;
    while (keep && head.next == raii_http::next_step::answer) {
        keep = add_answer(c, head, answers);
        if (keep) head = c.reader.next();  // the head is answered: the next one, if whole
    }
    if (answers.empty()) return c.reader.idle() ? state::idle : state::reading_head;
    c.closing = !keep;
    return send_answers(c, answers);
}

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
