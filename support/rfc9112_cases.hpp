// What RFC 9112 (HTTP/1.1's syntax) and RFC 9110 (its semantics) ask of a
// server's request parser, case by case: each case names its section and
// the status stages 03 to 06 answer. The table is run on the parser
// directly (raii_http_test), over a socket against each stage ([rfc9112]),
// and beside nginx where it is installed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace workshop {

// must: the RFC leaves a server one class of answer (a MUST, or a valid
// request for a page that exists or does not), and nginx is held to it too.
// may: the RFC allows more than one (a SHOULD, a MAY, or two rules that
// disagree); the status is this server's choice, nginx's is only shown.
enum class latitude { must, may };

struct rfc9112_case {
    std::string_view section;  // e.g. "9112 §3.2"
    std::string_view name;
    std::string request;
    int status;  // what 03 to 06 answer
    latitude rfc;
};

const std::vector<rfc9112_case>& rfc9112_cases();

// RFC 9112 §9.3: whether a connection may persist after a request's
// answer, case by case (a server may always close: §9.6).
struct persistence_case {
    std::string_view name;
    std::string request;
    bool persists;  // the client lets the connection stay open
};

const std::vector<persistence_case>& persistence_cases();

// The class of an answer, as the comparison with nginx counts it.
enum class answer_class { served, refused, not_implemented, none };
answer_class class_of(int status);  // 2xx and 404: served; other 4xx: refused; 5xx
const char* to_string(answer_class c);

// The status code of an answer's status line; 0 when there is none.
int status_of(std::string_view answer);

}  // namespace workshop
