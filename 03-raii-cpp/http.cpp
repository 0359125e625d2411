#include "http.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <tuple>
#include <utility>

namespace raii_http {
namespace {

constexpr std::string_view crlf = "\r\n";

// Not empty, and made only of letters, digits and `punctuation`.
bool made_of(std::string_view s, std::string_view punctuation) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [&](unsigned char c) {
        return std::isalnum(c) || punctuation.find(static_cast<char>(c)) != std::string_view::npos;
    });
}

// RFC 9110 token characters: what a method or a header name is made of.
bool is_token(std::string_view s) { return made_of(s, "!#$%&'*+-.^_`|~"); }

// RFC 9112 §3.2, RFC 3986 §3.2.2: a name, an IPv4 address or an [IPv6]
// literal, maybe a :port; no space, slash or "@", and not empty (an http
// URI's host never is: RFC 9110 §4.2.1).
bool is_host(std::string_view s) { return made_of(s, "-._~%!$&'()*+,;=:[]"); }

bool is_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool iequals(std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](unsigned char x, unsigned char y) { return std::tolower(x) == std::tolower(y); });
}

// No control characters (NUL, bare CR or LF…), no spaces: a request target.
bool is_visible(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c > 0x20 && c != 0x7f; });
}

bool is_field_value(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](unsigned char c) { return (c >= 0x20 && c != 0x7f) || c == '\t'; });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// A LF without a CR before it: never a line end here, however long we wait.
bool has_bare_lf(std::string_view s) {
    for (auto at = s.find('\n'); at != std::string_view::npos; at = s.find('\n', at + 1))
        if (at == 0 || s[at - 1] != '\r') return true;
    return false;
}

// Splits off everything up to the first `separator`; false if there is none.
bool split(std::string_view& rest, std::string_view separator, std::string_view& first) {
    auto at = rest.find(separator);
    if (at == std::string_view::npos) return false;
    first = rest.substr(0, at);
    rest.remove_prefix(at + separator.size());
    return true;
}

// RFC 9112 §3.2.1-2: origin-form "/path?query", or absolute-form
// "http://host/path?query", which a server MUST accept (clients send it to
// proxies). The page served depends on the path alone; empty: neither form.
std::string_view path_of(std::string_view target) {
    if (target.starts_with('/')) return target.substr(0, target.find('?'));
    std::string_view scheme;
    if (!split(target, "://", scheme) || !made_of(scheme, "+-.")) return {};
    auto path_at = target.find_first_of("/?");
    if (target.empty() || path_at == 0) return {};  // no host: RFC 9110 §4.2.1
    if (path_at == std::string_view::npos || target[path_at] == '?') return "/";  // RFC 9110 §4.2.3
    target.remove_prefix(path_at);
    return target.substr(0, target.find('?'));
}

// RFC 9112 §2.3: "HTTP/" DIGIT "." DIGIT, in capitals.
bool is_version(std::string_view v) {
    return v.size() == 8 && v.starts_with("HTTP/") && std::isdigit(static_cast<unsigned char>(v[5])) &&
           v[6] == '.' && std::isdigit(static_cast<unsigned char>(v[7]));
}

// tutorial: request-line
// "GET / HTTP/1.1": exactly three parts, single spaces (RFC 9112 §3), a
// target in a form we serve, and a version. Returns complete when it is fine.
parse_status parse_request_line(std::string_view line, request& req) {
    if (!split(line, " ", req.method) || !split(line, " ", req.target)) return parse_status::bad_request;
    req.version = line;
    req.path = path_of(req.target);
    if (!is_token(req.method) || req.path.empty() || !is_visible(req.target) || !is_version(req.version))
        return parse_status::bad_request;
    // HTTP/1.x, whatever x: a higher minor is answered as 1.1 (RFC 9110
    // §6.2). Another major version is one this server does not speak.
    return req.version.starts_with("HTTP/1.") ? parse_status::complete : parse_status::version_not_supported;
}
// end tutorial

// "Name: value", the value without surrounding white space.
bool parse_header(std::string_view line, request& req) {
    std::string_view name;
    if (!split(line, ":", name) || !is_token(name) || !is_field_value(line)) return false;
    req.headers.push_back({name, trim(line)});
    return true;
}

// How many fields are called `name`, in any case (RFC 9110 §5.1); `value`
// gets the last one's.
int count_fields(const request& req, std::string_view name, std::string_view& value) {
    int count = 0;
    for (const auto& h : req.headers) {
        if (!iequals(h.name, name)) continue;
        ++count;
        value = h.value;
    }
    return count;
}

// tutorial: check-fields
// The fields that say whom a request is for and where it ends. When two
// servers on a request's way (a proxy and this one) could read its end
// differently, one may see two requests where the other sees one: request
// smuggling. So any doubt about the framing is refused.
parse_status check_fields(const request& req, bool& body_follows) {
    std::string_view host, length, coding;
    int hosts = count_fields(req, "Host", host);
    int lengths = count_fields(req, "Content-Length", length);
    int codings = count_fields(req, "Transfer-Encoding", coding);
    // RFC 9112 §3.2: Host once in HTTP/1.1 (at most once in 1.0), well-formed.
    if (hosts > 1 || (hosts == 0 && req.version != "HTTP/1.0") || (hosts == 1 && !is_host(host)))
        return parse_status::bad_request;
    // §6.3: one Content-Length, all digits; otherwise the body's end is unknown.
    if (lengths > 1 || (lengths == 1 && !is_digits(length))) return parse_status::bad_request;
    // §6.1: one Transfer-Encoding, not beside a Content-Length (which one
    // would end the body?), not in HTTP/1.0 (which has no transfer codings).
    if (codings > 1 || (codings == 1 && (lengths == 1 || req.version == "HTTP/1.0")))
        return parse_status::bad_request;
    // §6.1, RFC 9110 §15.6.2: chunked is the coding understood here (the
    // body is read and dropped after the answer); any other: 501.
    if (codings == 1 && !iequals(coding, "chunked")) return parse_status::not_implemented;
    body_follows = codings == 1 || (lengths == 1 && length.find_first_not_of('0') != std::string_view::npos);
    return parse_status::complete;
}
// end tutorial

// The body's length, once check_fields has passed the head: nullopt when
// chunked, its Content-Length (all digits, once) or 0 otherwise.
std::optional<std::uint64_t> body_size_of(const request& req) {
    std::string_view length, coding;
    if (count_fields(req, "Transfer-Encoding", coding) > 0) return std::nullopt;
    if (count_fields(req, "Content-Length", length) == 0) return 0;
    std::uint64_t size = UINT64_MAX;  // all digits: only too large to count fails
    std::from_chars(length.data(), length.data() + length.size(), size);
    return size;
}

}  // namespace

// tutorial: parse-request
parse_result parse_request(std::string_view bytes) {
    // RFC 9112 §2.2: empty lines before the request line are ignored.
    std::size_t start = 0;
    while (bytes.substr(start).starts_with(crlf)) start += 2;
    // Too large: 414 when the request line alone does not fit (a long
    // target makes it so: RFC 9112 §3), 431 otherwise (RFC 6585 §5).
    auto too_large = [&] {
        bool line_fits = bytes.substr(0, max_head_size).find(crlf, start) != std::string_view::npos;
        return parse_result{.status = line_fits ? parse_status::head_too_large : parse_status::target_too_long};
    };
    // Lines end with CRLF (a bare LF is a control character in a line and
    // makes the request malformed); the head ends with an empty line.
    auto end = bytes.find("\r\n\r\n", start);
    if (end == std::string_view::npos) {
        if (bytes.size() > max_head_size) return too_large();
        // Reject a bad request line as soon as it is whole, and a bare LF
        // (what a client typing into nc sends) as soon as it arrives:
        // neither becomes valid by waiting for the rest of the head.
        request req;
        std::string_view line, rest = bytes.substr(start);
        if (split(rest, crlf, line))
            if (auto status = parse_request_line(line, req); status != parse_status::complete) return {.status = status};
        if (has_bare_lf(bytes)) return {.status = parse_status::bad_request};
        return {.status = parse_status::incomplete};
    }
    std::size_t head_size = end + 4;
    if (head_size > max_head_size) return too_large();

    parse_result result{.status = parse_status::complete, .head_size = head_size};
    std::string_view rest = bytes.substr(start, head_size - 2 - start), line;
    split(rest, crlf, line);  // the request line: the head has a CRLF after it
    if (auto status = parse_request_line(line, result.req); status != parse_status::complete)
        return {.status = status};
    while (split(rest, crlf, line))
        if (!parse_header(line, result.req)) return {.status = parse_status::bad_request};
    if (auto status = check_fields(result.req, result.body_follows); status != parse_status::complete)
        return {.status = status};
    result.body_size = body_size_of(result.req);
    return result;
}
// end tutorial

std::string response::serialize() const {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
    out += "Content-Type: text/html; charset=utf-8\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    for (const auto& h : extra_headers) out += std::string(h.name) + ": " + std::string(h.value) + "\r\n";
    if (connection == connection_field::close) out += "Connection: close\r\n";
    if (connection == connection_field::keep_alive) out += "Connection: keep-alive\r\n";
    out += "\r\n";
    if (!head_only) out += body;
    return out;
}

namespace {

// The reason phrase of each status this server answers with (RFC 9110 §15).
std::string_view reason_of(int status) {
    switch (status) {
        case 200: return "OK";
        case 400: return "Bad Request";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 413: return "Content Too Large";
        case 414: return "URI Too Long";
        case 431: return "Request Header Fields Too Large";
        case 501: return "Not Implemented";
        case 505: return "HTTP Version Not Supported";
    }
    return "Error";
}

}  // namespace

bool is_head(const parse_result& parsed) {
    return parsed.status == parse_status::complete && parsed.req.method == "HEAD";
}

response error_page(int status, std::string_view reason) {
    std::string title = std::to_string(status) + " " + std::string(reason);
    return {.status = status,
            .reason = reason,
            .body = "<!doctype html><html><body><h1>" + title + "</h1></body></html>\n"};
}

// tutorial: respond-to
// The status a parse outcome is answered with.
int status_for(const parse_result& parsed) {
    switch (parsed.status) {
        case parse_status::head_too_large: return 431;
        case parse_status::target_too_long: return 414;
        case parse_status::version_not_supported: return 505;
        case parse_status::not_implemented: return 501;
        case parse_status::bad_request:
        case parse_status::incomplete: return 400;
        case parse_status::complete: break;
    }
    if (parsed.req.method != "GET" && parsed.req.method != "HEAD") return 405;
    return parsed.req.path == "/" ? 200 : 404;
}
// end tutorial

// The whole answer for a status: the page, or an error page.
response response_for(int status, bool head_only) {
    constexpr std::string_view page = "<!doctype html><html><body><h1>Hello from Assembler :)</h1></body></html>\n";
    response r = status == 200 ? response{.body = std::string(page)} : error_page(status, reason_of(status));
    if (status == 405) r.extra_headers.push_back({"Allow", "GET, HEAD"});
    r.head_only = head_only;
    return r;
}

response respond_to(const parse_result& parsed) {
    return response_for(status_for(parsed), is_head(parsed));
}

std::string_view answer_bytes(int status, bool head_only, connection_field connection) {
    // Every status status_for gives, and 08's 413, for GET and for HEAD,
    // with each Connection field: serialized once.
    using key = std::tuple<int, bool, connection_field>;
    static const std::map<key, std::string> answers = [] {
        std::map<key, std::string> all;
        for (int status : {200, 400, 404, 405, 413, 414, 431, 501, 505})
            for (bool head : {false, true})
                for (auto field : {connection_field::close, connection_field::none, connection_field::keep_alive}) {
                    response r = response_for(status, head);
                    r.connection = field;
                    all[{status, head, field}] = r.serialize();
                }
        return all;
    }();
    return answers.at({status, head_only, connection});
}

std::string_view answer_bytes(const parse_result& parsed, connection_field connection) {
    return answer_bytes(status_for(parsed), is_head(parsed), connection);
}

bool persists(const request& req) {
    bool close = false, keep_alive = false;
    for (const auto& h : req.headers) {
        if (!iequals(h.name, "Connection")) continue;
        // A list of options: "keep-alive, Upgrade" holds keep-alive.
        std::string_view options = h.value, option;
        while (!options.empty()) {
            if (!split(options, ",", option)) option = std::exchange(options, {});  // the last one
            close = close || iequals(trim(option), "close");
            keep_alive = keep_alive || iequals(trim(option), "keep-alive");
        }
    }
    if (close) return false;
    return req.version != "HTTP/1.0" || keep_alive;
}

}  // namespace raii_http
