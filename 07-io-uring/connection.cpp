#include "connection.hpp"

#include "http.hpp"

#include <cerrno>
#include <cstring>
#include <string_view>

namespace ring {
namespace {

// As 03 and 05: close at once only after one whole request and nothing
// more; any other client may still be sending, and closing with its bytes
// unread would make the kernel send a reset that can destroy the answer.
state answer(connection& c, const raii_http::parse_result& parsed, bool more_may_follow) {
    bool whole = raii_http::whole_request(parsed, c.used) && !more_may_follow;
    c.answer = raii_http::respond_to(parsed).serialize();
    c.head.reset();  // the head is answered: its buffer goes (parsed's views with it)
    return whole ? state::answering : state::lingering;
}

}  // namespace

// Every receive lands in a buffer of the ring's pool, lent until the
// completion is handled; only a head that arrives in pieces gets a buffer
// of its own, where the pieces are joined.
state on_head_received(connection& c, int result, const char* bytes) {
    if (result == -ENOBUFS) return state::reading_head;  // the pool was empty for a moment: again
    if (result < 0) return state::closing;
    if (result == 0) {
        // The client stopped sending: answer what it sent (400), as 03 does,
        // unless it sent nothing at all: then just close.
        if (c.used == 0) return state::closing;
        return answer(c, raii_http::parse_request(std::string_view(c.head.get(), c.used)), true);
    }
    // Did the receive fill all the room the head had left? Then more may be waiting.
    bool filled = static_cast<std::size_t>(result) == raii_http::head_buffer_size - c.used;
    if (c.head) std::memcpy(c.head.get() + c.used, bytes, result);  // the next piece, after the others
    const char* start = c.head ? c.head.get() : bytes;
    c.used += static_cast<std::uint32_t>(result);
    raii_http::parse_result parsed = raii_http::parse_request(std::string_view(start, c.used));
    if (parsed.status != raii_http::parse_status::incomplete || c.used == raii_http::head_buffer_size)
        return answer(c, parsed, filled);
    if (!c.head) {  // the first piece, still in the pool's buffer: keep it
        c.head = std::unique_ptr<char[]>(new char[raii_http::head_buffer_size]);  // not zeroed: written before read
        std::memcpy(c.head.get(), bytes, c.used);
    }
    return state::reading_head;
}

state on_drained(connection&, int result) {
    if (result > 0 || result == -ENOBUFS) return state::lingering;
    return state::closing;  // the end of the stream, an error, or cancelled at the linger time
}

}  // namespace ring
