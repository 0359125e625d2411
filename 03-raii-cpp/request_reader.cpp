#include "request_reader.hpp"

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
    if (buffer_ == nullptr) {  // the first piece, judged where it landed
        request_head head = judge({bytes.data(), bytes.size()});
        if (head.next == next_step::read_more) {  // more to come: keep it
            buffer_ = new char[head_buffer_size];  // not zeroed: written before read
            own_ = true;
            std::memcpy(buffer_, bytes.data(), bytes.size());
            used_ = static_cast<std::uint32_t>(bytes.size());
        }
        return head;
    }
    // The next piece, after the others (copied when it landed elsewhere).
    if (bytes.data() != buffer_ + used_) std::memcpy(buffer_ + used_, bytes.data(), bytes.size());
    used_ += static_cast<std::uint32_t>(bytes.size());
    return judge({buffer_, used_});
}

request_head request_reader::ended() {
    // Answer what it sent (an unfinished head: 400), unless it sent nothing.
    if (used_ == 0) return {.next = next_step::close};
    return {.next = next_step::answer, .parsed = parse_request({buffer_, used_})};
}
// end tutorial

void request_reader::clear() {
    if (own_) {
        delete[] buffer_;
        buffer_ = nullptr;
        own_ = false;
    }
    used_ = 0;
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
