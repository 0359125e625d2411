// nginx held to RFC 9112's cases (the table in support/rfc9112_cases.cpp),
// once: where the RFC leaves no choice (must), nginx gives the class of
// answer (served, refused, failed) that the table asks of every stage, so
// the table asks what a production server does. Every case's answers are
// printed beside the RFC's status. Each stage's own answers are its row's
// test (rfc9112_test.cpp); this one needs no stage.
#include "support/client.hpp"
#include "support/nginx.hpp"
#include "support/rfc9112_cases.hpp"

#include <catch2/catch_test_macros.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>

using namespace workshop;

namespace {

// One row of the printed table.
std::string row(std::string_view section, std::string_view name, std::string_view due, std::string_view nginx,
                std::string_view rfc) {
    char line[256];
    std::snprintf(line, sizeof line, "%-13.13s %-52.52s %-4.4s %-6.6s %s\n", std::string(section).c_str(),
                  std::string(name).c_str(), std::string(due).c_str(), std::string(nginx).c_str(),
                  std::string(rfc).c_str());
    return line;
}

}  // namespace

TEST_CASE("RFC 9112: nginx answers each case the RFC leaves no choice in with the class due", "[rfc9112][nginx]") {
    std::signal(SIGPIPE, SIG_IGN);  // nginx closing early fails a check, not the program
    auto nginx = start_nginx();
    if (!nginx) SKIP("nginx is not installed: no case is sent to it (./workshop test installs it)");
    std::string table = row("RFC §", "case", "due", "nginx", "rfc");
    for (const auto& c : rfc9112_cases()) {
        reply r = send_and_half_close(nginx->port(), c.request);
        int status = status_of(r.bytes);
        std::string answer = status ? std::to_string(status) : to_string(r.end);
        bool must = c.rfc == latitude::must;
        table += row(c.section, c.name, std::to_string(c.status), answer, must ? "must" : "may");
        if (!must) continue;
        INFO("RFC " << c.section << " (must): " << c.name << ", due " << c.status << "; nginx answered " << answer);
        CHECK(class_of(status) == class_of(c.status));
    }
    std::cout << "\nRFC 9112 cases, nginx beside the status due:\n" << table << std::flush;
}

// §9.3 and §9.6: each request is sent with a Connection: close one right
// behind it. A server that lets the connection persist answers both, in
// order; one that closes after the first answers it alone.
TEST_CASE("RFC 9112 §9.3: nginx keeps a connection exactly when the client lets it", "[rfc9112][nginx]") {
    std::signal(SIGPIPE, SIG_IGN);
    auto nginx = start_nginx();
    if (!nginx) SKIP("nginx is not installed: no case is sent to it (./workshop test installs it)");
    for (const auto& c : persistence_cases()) {
        INFO("RFC 9112 §9.3: " << c.name);
        reply r = exchange(nginx->port(), c.request + simple_get);
        std::size_t answers = 0;
        for (auto at = r.bytes.find("HTTP/1.1 200 "); at != std::string::npos; at = r.bytes.find("HTTP/1.1 200 ", at + 1))
            ++answers;
        INFO("nginx answered " << answers << " of 2:\n" << visible(r.bytes.substr(0, 400)));
        CHECK(answers == (c.persists ? 2u : 1u));
        CHECK(r.end == ending::eof);
    }
}
