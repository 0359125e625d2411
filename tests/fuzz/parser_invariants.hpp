// What must hold for any bytes given to stage 03's parser: shared by the
// libFuzzer target and by the test that replays the corpus, so both check
// the same thing. Returns what was violated, or an empty string.
#pragma once

#include "http.hpp"

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace fuzz {

inline bool inside(std::string_view part, std::string_view whole) {
    return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
}

// The values of the fields called `name` (any case) in `lines`, the lines
// after the request line, read here on their own rather than by the parser.
inline std::vector<std::string_view> fields_named(std::string_view lines, std::string_view name) {
    std::vector<std::string_view> values;
    for (std::size_t at = 0, end; (end = lines.find("\r\n", at)) != std::string_view::npos; at = end + 2) {
        std::string_view line = lines.substr(at, end - at);
        if (line.size() > name.size() && line[name.size()] == ':' && iequals(line.substr(0, name.size()), name)) {
            std::string_view value = line.substr(name.size() + 1);
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
            while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
            values.push_back(value);
        }
    }
    return values;
}

// RFC 9112's rules, checked from the bytes of a head answered 200: Host
// once in HTTP/1.1 (at most once in 1.0), at most one Content-Length and
// all digits, Transfer-Encoding only as one chunked, never beside a
// Content-Length or in HTTP/1.0.
inline std::string check_served(std::string_view lines, std::string_view version) {
    auto hosts = fields_named(lines, "Host");
    auto lengths = fields_named(lines, "Content-Length");
    auto codings = fields_named(lines, "Transfer-Encoding");
    if (hosts.size() > 1) return "two Host fields answered 200";
    if (hosts.empty() && version != "HTTP/1.0") return "HTTP/1.1 without Host answered 200";
    if (hosts.size() == 1 && (hosts[0].empty() || hosts[0].find_first_of(" /@") != std::string_view::npos))
        return "a malformed Host answered 200";
    if (lengths.size() > 1) return "two Content-Length fields answered 200";
    for (auto length : lengths)
        if (length.empty() || length.find_first_not_of("0123456789") != std::string_view::npos)
            return "a Content-Length not all digits answered 200";
    if (codings.size() > 1 || (codings.size() == 1 && (!iequals(codings[0], "chunked") || !lengths.empty() ||
                                                       version == "HTTP/1.0")))
        return "a Transfer-Encoding other than one chunked answered 200";
    if (!version.starts_with("HTTP/1.")) return "another major version answered 200";
    return {};
}

inline std::string check_parser_invariants(std::string_view bytes) {
    using namespace raii_http;
    parse_result r = parse_request(bytes);
    // Empty lines before the request line are skipped (RFC 9112 §2.2).
    std::size_t start = 0;
    while (bytes.substr(start).starts_with("\r\n")) start += 2;
    if (r.status == parse_status::complete) {
        if (r.head_size > bytes.size() || r.head_size > max_head_size) return "head_size out of range";
        if (!bytes.substr(0, r.head_size).ends_with("\r\n\r\n")) return "head does not end with a blank line";
        if (bytes.substr(start, r.head_size - 2 - start).find("\r\n\r\n") != std::string_view::npos)
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

    response reply = respond_to(r);
    if (reply.status == 200) {
        std::string_view head = bytes.substr(start, r.head_size - start);
        std::string_view lines = head.substr(head.find("\r\n") + 2);
        if (std::string broken = check_served(lines, r.req.version); !broken.empty()) return broken;
    }
    // 414 only for a request line that does not fit in the head's limit.
    bool line_fits = bytes.substr(0, max_head_size).find("\r\n", start) != std::string_view::npos;
    if (reply.status == 414 && line_fits) return "414 for a request line that fits";
    if (reply.status == 431 && !line_fits) return "431 for a request line that does not fit";
    // 505 only for a well-formed version whose major is not 1.
    if (reply.status == 505) {
        std::string_view line = bytes.substr(start, bytes.find("\r\n", start) - start);
        std::string_view version = line.substr(line.rfind(' ') + 1);
        if (version.size() != 8 || !version.starts_with("HTTP/") || version[5] == '1') return "505 for a version not of another major";
    }
    // 501 only when a Transfer-Encoding was sent.
    if (reply.status == 501 && fields_named(bytes.substr(start), "Transfer-Encoding").empty())
        return "501 without a Transfer-Encoding";

    std::string answer = reply.serialize();
    if (answer_bytes(r) != answer) return "the prebuilt answer differs from the response";
    if (!answer.starts_with("HTTP/1.1 ")) return "answer without a status line";
    auto end = answer.find("\r\n\r\n");
    if (end == std::string::npos) return "answer without a blank line";
    std::string body = answer.substr(end + 4);
    bool head_only = r.status == parse_status::complete && r.req.method == "HEAD";
    if (head_only != body.empty()) return "a body where there should be none, or none where there should be one";
    return {};
}

}  // namespace fuzz
