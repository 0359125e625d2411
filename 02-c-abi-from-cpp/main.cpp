// 02-c-abi-from-cpp: the same server, the same C calls, from plain C++.
//
// The idea: the assembly was only ever calling C functions, and C++ calls
// them the same way. Hold this file beside 01-raw-asm/http_server_arm64.S:
// socket, setsockopt, bind, listen, then accept / write / close, block for
// block. What changes is what assembly made tedious: every result is
// checked, the request is read before answering, and writes are finished.
//
//   ./workshop serve 02            (or: build/bin/02-c-abi-from-cpp --port 8585)
//   curl -i http://localhost:8585/
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <string_view>
#include <sys/socket.h>
#include <unistd.h>

namespace {

constexpr const char* program = "02-c-abi-from-cpp";
constexpr const char* usage = "usage: 02-c-abi-from-cpp [--port N]   (default port 8585)";
constexpr int backlog = 16;

// Prebuilt HTTP/1.1 response, byte for byte the assembly's.
constexpr std::string_view response =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Length: 74\r\n"
    "Connection: close\r\n"
    "\r\n"
    "<!doctype html><html><body><h1>Hello from Assembler :)</h1></body></html>\n";

int bad_argument(const char* what, const char* arg) {
    std::fprintf(stderr, "%s: %s: %s\n%s\n", program, what, arg, usage);
    return 2;
}

// Names the failed call and the port, as stage 01's driver does.
int fail(const char* call, int port) {
    std::fprintf(stderr, "%s: %s to port %d: %s\n", program, call, port, std::strerror(errno));
    return 1;
}

// tutorial: read-request
// Reads until the blank line that ends the request head (or the buffer is
// full, or the client stops sending). Answering only after reading means
// nothing is left unread when we close, so the kernel ends the connection
// with a clean FIN instead of a reset. The price: a client that sends
// nothing blocks this read, and with it the whole server.
void read_request_head(int client_fd) {
    char head[8192];
    size_t used = 0;
    while (used < sizeof head) {
        ssize_t n = read(client_fd, head + used, sizeof head - used);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // client closed or failed: answer anyway
        used += static_cast<size_t>(n);
        if (std::string_view(head, used).find("\r\n\r\n") != std::string_view::npos) return;
    }
}
// end tutorial

// tutorial: write-all
// write may send fewer bytes than asked, or be interrupted by a signal:
// loop until everything is sent or the client is gone.
void write_all(int client_fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = write(client_fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // client gone (EPIPE): nothing more to do
        bytes.remove_prefix(static_cast<size_t>(n));
    }
}
// end tutorial

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

    // A client that leaves before our write would otherwise kill the server
    // with SIGPIPE; ignored, write just fails with EPIPE.
    std::signal(SIGPIPE, SIG_IGN);

    // tutorial: setup
    // socket(AF_INET, SOCK_STREAM, 0)
    int server_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (server_fd < 0) return fail("socket", port);

    // setsockopt(server_fd, SOL_SOCKET, SO_REUSEADDR, &one, 4)
    // So a restarted server can bind while old connections sit in TIME_WAIT.
    int one = 1;
    if (setsockopt(server_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        return fail("setsockopt SO_REUSEADDR", port);

    // bind(server_fd, &addr, sizeof(addr)): the header's sockaddr_in replaces
    // the hand-laid bytes, and htons does the byte swap the assembly did.
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(server_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
        return fail("bind", port);

    // listen(server_fd, BACKLOG)
    if (listen(server_fd, backlog) < 0) return fail("listen", port);
    // end tutorial

    // tutorial: accept-loop
    // Accept-Read-Write-Close loop, one connection at a time.
    for (;;) {
        // accept(server_fd, NULL, NULL); a failure (client already gone, a
        // signal) concerns one client: skip it. Out of descriptors, the
        // client stays queued and accept fails again at once: pause first,
        // or the loop spins at full speed.
        int client_fd = accept(server_fd, nullptr, nullptr);
        if (client_fd < 0) {
            if (errno == EMFILE || errno == ENFILE) usleep(100 * 1000);
            continue;
        }

        read_request_head(client_fd);
        write_all(client_fd, response);
        close(client_fd);
    }
    // end tutorial
}
