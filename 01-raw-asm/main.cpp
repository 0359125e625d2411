// 01-raw-asm: the article's assembly server, called from C++.
//
// The idea: a web server is a loop of three C calls (accept, write, close)
// after four set-up calls, and assembly can make them directly.
// The loop lives in http_server_arm64.S (the original) or its x86-64 twin:
// read that first. This driver only reads the command line and reports
// failures.
//
//   ./workshop serve 01            (or: build/bin/01-raw-asm --port 8585)
//   curl -i http://localhost:8585/
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

// Defined in assembly. Returns only on failure: which call failed, with
// errno as that call left it.
extern "C" int http_asm_serve(int port);

namespace {

constexpr const char* program = "01-raw-asm";
constexpr const char* usage = "usage: 01-raw-asm [--port N]   (default port 8585)";

// The set-up call each return value of http_asm_serve names.
const char* failed_call(int step) {
    switch (step) {
        case 1: return "socket";
        case 2: return "setsockopt";
        case 3: return "bind";
        case 4: return "listen";
        default: return "http_asm_serve";
    }
}

int bad_argument(const char* what, const char* arg) {
    std::fprintf(stderr, "%s: %s: %s\n%s\n", program, what, arg, usage);
    return 2;
}

}  // namespace

int main(int argc, char* argv[]) {
    int port = 8585;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--help") {
            std::puts(usage);
            return 0;
        }
        if (arg != "--port") return bad_argument("unknown argument", argv[i]);
        if (i + 1 == argc) return bad_argument("missing value after", argv[i]);
        char* end = nullptr;
        long value = std::strtol(argv[++i], &end, 10);
        if (*end != '\0' || end == argv[i] || value < 1 || value > 65535)
            return bad_argument("not a port number (1-65535)", argv[i]);
        port = static_cast<int>(value);
    }

    // A write to a client that has already gone can raise SIGPIPE, which
    // would kill the whole server; ignored, the write just fails. (Stage 01
    // writes at once, so on Linux a client's reset usually makes the write
    // fail with ECONNRESET, which raises nothing: the tutorial's Appendix A
    // says when SIGPIPE does come. macOS also offers the per-socket SO_NOSIGPIPE; this
    // works on both.)
    std::signal(SIGPIPE, SIG_IGN);

    // tutorial: driver-call
    int step = http_asm_serve(port);
    int error = errno;  // before anything else can change it
    std::fprintf(stderr, "%s: %s to port %d: %s\n", program, failed_call(step), port,
                 std::strerror(error));
    return 1;
    // end tutorial
}
