#include "request_reader.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace raii_http {

std::span<char> request_reader::room(std::span<char> scratch) {
    if (buffer_ == nullptr) return scratch.first(head_buffer_size);
    return {buffer_ + used_, room_size()};
}

// tutorial: reader-received
request_head request_reader::received(std::span<const char> bytes) {
    assert(!bytes.empty() && bytes.size() <= room_size());
    std::string_view piece(bytes.data(), bytes.size());
    piece.remove_prefix(skip_body(piece.size()));  // the rest of an answered request's body
    if (piece.empty()) return {};
    return gather(piece);
}

request_head request_reader::ended() {
    // Answer what it sent (an unfinished head: 400), unless it sent nothing.
    if (used_ == 0) return {.next = next_step::close};
    return {.next = next_step::answer, .parsed = parse_request({buffer_, used_})};
}
// end tutorial

void request_reader::clear() {
    drop_buffer();
    body_left_ = 0;
}

// tutorial: reader-next
request_head request_reader::next(const request_head& answered) {
    assert(answered.parsed.body_size);  // a chunked body's end is not looked for
    body_left_ = *answered.parsed.body_size;
    std::string_view rest = answered.after;
    rest.remove_prefix(skip_body(rest.size()));  // what came of its body
    used_ = 0;
    if (rest.empty()) {  // nothing more yet: a connection between requests holds no buffer
        drop_buffer();
        return {};
    }
    return gather(rest);  // the next request, to the front of the buffer
}
// end tutorial

void request_reader::drop_buffer() {
    if (own_) {
        delete[] buffer_;
        buffer_ = nullptr;
        own_ = false;
    }
    used_ = 0;
}

// `piece` follows the pieces of the head so far (none when used_ is 0).
request_head request_reader::gather(std::string_view piece) {
    if (buffer_ == nullptr) {  // the first piece, judged where it landed
        request_head head = judge(piece);
        if (head.next == next_step::read_more) {  // more to come: keep it
            buffer_ = new char[head_buffer_size];  // not zeroed: written before read
            own_ = true;
            std::memcpy(buffer_, piece.data(), piece.size());
            used_ = static_cast<std::uint32_t>(piece.size());
        }
        return head;
    }
    // The next piece, after the others (moved when it landed elsewhere, or
    // further on in the buffer, behind an answered request).
    if (piece.data() != buffer_ + used_) std::memmove(buffer_ + used_, piece.data(), piece.size());
    used_ += static_cast<std::uint32_t>(piece.size());
    return judge({buffer_, used_});
}

// Drops up to `available` bytes of the body still to come; returns how many.
std::size_t request_reader::skip_body(std::size_t available) {
    std::size_t skipped = static_cast<std::size_t>(std::min<std::uint64_t>(body_left_, available));
    body_left_ -= skipped;
    return skipped;
}

request_head request_reader::judge(std::string_view bytes) const {
    request_head head{.next = next_step::answer, .parsed = parse_request(bytes)};
    // Never incomplete once the buffer is full: parse_request calls a
    // head that long too large.
    if (head.parsed.status == parse_status::incomplete) return {};
    if (head.parsed.status == parse_status::complete) {
        head.after = bytes.substr(head.parsed.head_size);
        head.whole = head.after.empty() && !head.parsed.body_follows;
    }
    return head;
}

}  // namespace raii_http
