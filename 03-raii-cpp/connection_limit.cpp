#include "connection_limit.hpp"

#include "http.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>
#include <sys/resource.h>
#include <sys/socket.h>

namespace raii_http {

// tutorial: descriptor-limit
void raise_descriptor_limit(const char* program, long connections, long own) {
    auto wanted = static_cast<rlim_t>(connections + own);
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) < 0 || limit.rlim_cur >= wanted) return;
    rlim_t raised = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
    limit.rlim_cur = std::max(limit.rlim_cur, raised);
    ::setrlimit(RLIMIT_NOFILE, &limit);  // macOS may refuse over OPEN_MAX; then the check below says so
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < wanted)
        std::fprintf(stderr, "%s: descriptor limit %llu, below the %llu that %ld connections need\n",
                     program, static_cast<unsigned long long>(limit.rlim_cur),
                     static_cast<unsigned long long>(wanted), connections);
}
// end tutorial

// The server has no one to spare for this client, so nothing here waits.
// The answer fits in a fresh socket's buffer, so the send cannot block, and
// shutdown puts the FIN right behind it: the client reads the whole 503 and
// a clean end of stream. What has arrived of its request is then read,
// because closing with unread bytes makes the kernel send a reset. A request
// still on its way when we close is answered with a reset too, but only
// after the answer and the FIN: a Linux client reads a clean end, a BSD one
// may report the reset.
void refuse(unique_fd client) {
    static const std::string page = error_page(503, "Service Unavailable").serialize();
    [[maybe_unused]] auto n = ::send(client.get(), page.data(), page.size(), MSG_DONTWAIT);
    ::shutdown(client.get(), SHUT_WR);
    std::array<char, max_head_size> sink;
    n = ::recv(client.get(), sink.data(), sink.size(), MSG_DONTWAIT);
}

}  // namespace raii_http
