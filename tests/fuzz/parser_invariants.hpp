// What must hold for any bytes given to stage 03's parser: shared by the
// libFuzzer target and by the test that replays the corpus, so both check
// the same thing. Returns what was violated, or an empty string.
#pragma once

#include "http.hpp"

#include <string>
#include <string_view>

namespace fuzz {

inline bool inside(std::string_view part, std::string_view whole) {
    return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

inline std::string check_parser_invariants(std::string_view bytes) {
    using namespace raii_http;
    parse_result r = parse_request(bytes);
    if (r.status == parse_status::complete) {
        if (r.head_size > bytes.size() || r.head_size > max_head_size) return "head_size out of range";
        if (!bytes.substr(0, r.head_size).ends_with("\r\n\r\n")) return "head does not end with a blank line";
        if (bytes.substr(0, r.head_size - 2).find("\r\n\r\n") != std::string_view::npos)
            return "head runs past its first blank line";
        for (auto part : {r.req.method, r.req.target, r.req.version})
            if (!inside(part, bytes.substr(0, r.head_size))) return "a view points outside the head";
        for (const auto& h : r.req.headers)
            if (!inside(h.name, bytes) || !inside(h.value, bytes) || h.name.empty()) return "a bad header view";
        // Bytes after the head never change how the head parses.
        parse_result again = parse_request(bytes.substr(0, r.head_size));
        if (again.status != parse_status::complete || again.head_size != r.head_size)
            return "the head alone parses differently";
    }
    if (r.status == parse_status::incomplete && bytes.size() > max_head_size) return "incomplete past the limit";

    std::string answer = respond_to(r).serialize();
    if (!answer.starts_with("HTTP/1.1 ")) return "answer without a status line";
    auto end = answer.find("\r\n\r\n");
    if (end == std::string::npos) return "answer without a blank line";
    std::string body = answer.substr(end + 4);
    bool head_only = r.status == parse_status::complete && r.req.method == "HEAD";
    if (head_only != body.empty()) return "a body where there should be none, or none where there should be one";
    return {};
}

}  // namespace fuzz
