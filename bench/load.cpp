#include "load.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace bench {
namespace {

using clock = std::chrono::steady_clock;

// Waits until fd is ready for `events` or the deadline passes.
bool wait_for(int fd, short events, clock::time_point deadline) {
    for (;;) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, events, 0};
        int n = ::poll(&p, 1, static_cast<int>(left.count()));
        if (n > 0) return true;
        if (n == 0 || errno != EINTR) return false;
    }
}

// A non-blocking connection to 127.0.0.1:port, given up at the deadline: a
// server whose accept queue is full makes the kernel drop our SYN, and a
// blocking connect would then wait out its retries for minutes.
workshop::socket_fd connect_until(int port, clock::time_point deadline) {
    workshop::socket_fd fd(::socket(AF_INET, SOCK_STREAM, 0));
    if (fd.get() < 0) return fd;
    ::fcntl(fd.get(), F_SETFL, O_NONBLOCK);
    sockaddr_in addr = workshop::loopback(port);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
    if (errno != EINPROGRESS || !wait_for(fd.get(), POLLOUT, deadline)) return {};
    int error = 0;
    socklen_t len = sizeof error;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0) return {};
    return fd;
}

enum class outcome { completed, failed, unfinished };

struct tally {
    std::uint64_t completed = 0, failed = 0, unfinished = 0;
    std::vector<float> latencies_us;
};

// One request on a fresh connection.
outcome one_request(const load_plan& plan, clock::time_point end, tally& t) {
    auto start = clock::now();
    workshop::socket_fd fd = connect_until(plan.port, end);
    if (fd.get() < 0) return clock::now() >= end ? outcome::unfinished : outcome::failed;
    if (!workshop::send_all(fd.get(), request)) return outcome::failed;

    char buffer[4096];
    std::size_t got = 0;
    bool status_ok = false;
    while (got < plan.response_size) {
        if (!wait_for(fd.get(), POLLIN, end)) return outcome::unfinished;
        ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
        if (n > 0) {
            if (got == 0) status_ok = n >= 13 && std::memcmp(buffer, "HTTP/1.1 200 ", 13) == 0;
            got += static_cast<std::size_t>(n);
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            break;  // the server ended the connection (a reset from 01 is normal)
        }
    }
    // A reset rather than a FIN: neither side keeps a TIME_WAIT entry, so
    // hundreds of thousands of connections do not use up the ports.
    workshop::reset_connection(std::move(fd));
    if (got != plan.response_size || !status_ok) return outcome::failed;
    t.latencies_us.push_back(
        std::chrono::duration<float, std::micro>(clock::now() - start).count());
    return outcome::completed;
}

// One client: requests back to back until the window ends.
void client_loop(const load_plan& plan, clock::time_point end, tally& t) {
    while (clock::now() < end) {
        switch (one_request(plan, end, t)) {
            case outcome::completed: ++t.completed; break;
            case outcome::failed: ++t.failed; break;
            case outcome::unfinished: ++t.unfinished; break;
        }
    }
}

}  // namespace

double load_result::percentile_us(double p) const {
    if (latencies_us.empty()) return 0;
    auto rank = static_cast<std::size_t>(p / 100 * static_cast<double>(latencies_us.size() - 1));
    return latencies_us[rank];
}

load_result run_load(const load_plan& plan) {
    std::vector<tally> tallies(static_cast<std::size_t>(plan.clients));
    auto start = clock::now();
    auto end = start + plan.window;
    // One thread per client, each a plain blocking loop: simple to read,
    // and on loopback as fast as an event loop (see bench/README.md).
    std::vector<std::thread> clients;
    for (auto& t : tallies) clients.emplace_back(client_loop, std::cref(plan), end, std::ref(t));
    for (auto& c : clients) c.join();
    load_result result;
    result.seconds = std::chrono::duration<double>(clock::now() - start).count();
    for (auto& t : tallies) {
        result.completed += t.completed;
        result.failed += t.failed;
        result.unfinished += t.unfinished;
        result.latencies_us.insert(result.latencies_us.end(), t.latencies_us.begin(),
                                   t.latencies_us.end());
    }
    std::sort(result.latencies_us.begin(), result.latencies_us.end());
    return result;
}

stalled_clients::stalled_clients(int port, int count) {
    auto deadline = clock::now() + std::chrono::seconds(2);
    for (int i = 0; i < count; ++i) {
        workshop::socket_fd fd = connect_until(port, deadline);
        if (fd.get() >= 0) fds_.push_back(std::move(fd));
    }
}

}  // namespace bench
