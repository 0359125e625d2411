#include "connection.hpp"

#include "http.hpp"

#include <cerrno>

namespace ring {

// Every receive lands in a buffer of the ring's pool, lent until the
// completion is handled; the reader copies a head that arrives in pieces
// into a buffer of its own.
state on_head_received(connection& c, int result, const char* pooled) {
    if (result == -ENOBUFS) return state::reading_head;  // the pool was empty for a moment: again
    if (result < 0) return state::closing;
    // 0: the client stopped sending; answer what it sent, as 03 does.
    raii_http::request_head head = result > 0 ? c.reader.received({pooled, static_cast<std::size_t>(result)})
                                              : c.reader.ended();
    switch (head.next) {
    case raii_http::next_step::read_more: return state::reading_head;
    case raii_http::next_step::close: return state::closing;  // it sent nothing at all
    case raii_http::next_step::answer: break;
    }
    // As 03 and 05: close at once only after one whole request and nothing
    // more; any other client may still be sending, and closing with its
    // bytes unread would make the kernel send a reset that can destroy the
    // answer.
    c.answer = raii_http::answer_bytes(head.parsed);
    c.reader.clear();  // the head is answered: its buffer goes (head's views with it)
    return head.whole ? state::answering : state::lingering;
}

state on_drained(connection&, int result) {
    if (result > 0 || result == -ENOBUFS) return state::lingering;
    return state::closing;  // the end of the stream, an error, or cancelled at the linger time
}

}  // namespace ring
