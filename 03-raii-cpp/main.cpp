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
#include "server.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <system_error>

namespace {

constexpr const char* program = "03-raii-cpp";
constexpr const char* usage =
    "usage: 03-raii-cpp [--port N] [--read-timeout SECONDS]   (defaults 8585 and 5)";

int bad_argument(const char* what, const char* arg) {
    std::fprintf(stderr, "%s: %s: %s\n%s\n", program, what, arg, usage);
    return 2;
}

}  // namespace

int main(int argc, char* argv[]) {
    int port = 8585;
    double read_timeout = 5;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--help") {
            std::puts(usage);
            return 0;
        }
        if (arg != "--port" && arg != "--read-timeout") return bad_argument("unknown argument", argv[i]);
        if (i + 1 == argc) return bad_argument("missing value after", argv[i]);
        char* end = nullptr;
        if (arg == "--port") {
            long value = std::strtol(argv[++i], &end, 10);
            if (*end != '\0' || end == argv[i] || value < 1 || value > 65535)
                return bad_argument("not a port number (1-65535)", argv[i]);
            port = static_cast<int>(value);
        } else {
            read_timeout = std::strtod(argv[++i], &end);
            if (*end != '\0' || end == argv[i] || !(read_timeout > 0 && read_timeout <= 3600))
                return bad_argument("not a number of seconds (0-3600)", argv[i]);
        }
    }

    // A client that leaves before our write would otherwise kill the server
    // with SIGPIPE; ignored, write just fails with EPIPE.
    std::signal(SIGPIPE, SIG_IGN);

    // tutorial: main-try
    // Every failure below arrives as one exception naming its call; the
    // descriptors opened so far close themselves on the way out.
    try {
        raii_http::stop_signal stop;  // SIGINT, SIGTERM: finish the client in hand, then exit 0
        raii_http::unique_fd listener = raii_http::listen_on(port);
        auto timeout = std::chrono::duration<double>(read_timeout);
        raii_http::serve(listener, std::chrono::ceil<std::chrono::milliseconds>(timeout), stop);
        return 0;
    } catch (const std::system_error& e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
        return 1;
    }
    // end tutorial
}
