// 03-raii-cpp: the same server, written with C++'s own tools.
//
// The idea: let types carry the rules that stage 02 kept by hand. A
// descriptor has one owner that closes it (unique_fd.hpp); a failed call
// throws an exception that names it (server.cpp); the request is parsed
// into a value and answered by status code (http.cpp). GET / still answers
// the same 172 bytes. Read main.cpp, then server.cpp, then http.cpp.
//
//   ./workshop serve 03            (or: build/bin/03-raii-cpp --port 8585)
//   curl -i http://localhost:8585/missing
#include "options.hpp"
#include "server.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <system_error>

namespace {

constexpr const char* program = "03-raii-cpp";
constexpr const char* usage =
    "usage: 03-raii-cpp [--port N] [--read-timeout SECONDS]   (defaults 8585 and 5)";

}  // namespace

int main(int argc, char* argv[]) {
    int port = 8585;
    std::chrono::milliseconds read_timeout = std::chrono::seconds(5);
    raii_http::command_line options(program, usage);
    options.port("--port", port);
    options.seconds("--read-timeout", read_timeout);
    if (auto exit_code = options.parse(argc, argv)) return *exit_code;

    // A client that leaves before our write would otherwise kill the server
    // with SIGPIPE; ignored, write just fails with EPIPE.
    std::signal(SIGPIPE, SIG_IGN);

    // tutorial: main-try
    // Every failure below arrives as one exception naming its call; the
    // descriptors opened so far close themselves on the way out.
    try {
        raii_http::stop_signal stop;  // SIGINT, SIGTERM: finish the client in hand, then exit 0
        raii_http::unique_fd listener = raii_http::listen_on(port);
        raii_http::serve(listener, read_timeout, stop);
        return 0;
    } catch (const std::system_error& e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
        return 1;
    }
    // end tutorial
}
