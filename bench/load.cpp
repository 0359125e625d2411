// Measuring: the client, a connection per request and nothing waiting past the
// window (unanswered requests count as unfinished); the silent connections.
#include "bench.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdexcept>
#include <thread>

namespace bench {
namespace {

using clock = std::chrono::steady_clock;

bool wait_for(int fd, short events, clock::time_point deadline) {
    for (;;) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, events, 0};
        if (int n = ::poll(&p, 1, static_cast<int>(left.count())); n >= 0 || errno != EINTR) return n > 0;
    }
}

// Connects fd to 127.0.0.1:port by the deadline: when a full accept queue
// drops our SYN, a blocking connect would wait out its retries for minutes.
bool connect_by(int fd, int port, clock::time_point deadline) {
    ::fcntl(fd, F_SETFL, O_NONBLOCK);
    sockaddr_in addr = workshop::loopback(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return true;
    int error = 0;
    socklen_t len = sizeof error;
    return errno == EINPROGRESS && wait_for(fd, POLLOUT, deadline) &&
           ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0;
}

// Did the server's full accept queue drop a packet of this connection? On
// loopback nothing else is lost: a resent SYN or request was dropped, so was a
// SYN unanswered after 100 ms, and a request unacknowledged when the window
// closed on it means the handshake's last ACK was (README: Dropped connections).
// A finished request may stay unacknowledged: stage 01 closes without reading.
#if defined(__linux__)
bool saw_drop(int fd, clock::duration waited, bool window_closed) {
    tcp_info info{};
    socklen_t len = sizeof info;
    ::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len);
    if (info.tcpi_total_retrans > 0) return true;
    if (info.tcpi_state == TCP_SYN_SENT) return waited > 100ms;
    return window_closed && info.tcpi_unacked > 0;
}
#else
// macOS has no tcp_info; its tcp_connection_info tells less: no drops are counted there.
bool saw_drop(int, clock::duration, bool) { return false; }
#endif

// One request on a fresh connection, counted into `t`: connect, send the
// request, read the whole response, and give up when the window ends.
void one_request(int port, std::size_t response_size, clock::time_point end, load_result& t) {
    auto start = clock::now();
    workshop::socket_fd fd(::socket(AF_INET, SOCK_STREAM, 0));
    bool connected = fd.get() >= 0 && connect_by(fd.get(), port, end);
    bool unfinished = !connected && fd.get() >= 0 && clock::now() >= end;  // else refused
    std::size_t got = 0;
    char status[16] = {};  // the start of the status line
    if (connected && workshop::send_all(fd.get(), workshop::simple_get)) {
        char buffer[4096];
        while (got < response_size) {
            if ((unfinished = !wait_for(fd.get(), POLLIN, end))) break;
            ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (n <= 0) break;  // the server ended the connection (a reset from 01 is normal)
            if (got == 0) std::memcpy(status, buffer, std::min<std::size_t>(n, sizeof status - 1));
            got += static_cast<std::size_t>(n);
        }
    }
    auto finished = clock::now();
    t.retried += saw_drop(fd.get(), finished - start, unfinished);
    workshop::reset_connection(std::move(fd));  // no TIME_WAIT: a window's connections would use up the ports
    std::string_view line(status);
    if (unfinished) {
        ++t.unfinished;
    } else if (got != response_size || !line.starts_with("HTTP/1.1 200 ")) {
        ++t.failed;
        t.unavailable += line.starts_with("HTTP/1.1 503 ");
    } else {
        ++t.completed;
        t.latencies_us.push_back(std::chrono::duration<float, std::micro>(finished - start).count());
    }
}

}  // namespace

load_result run_load(int port, int clients, std::chrono::milliseconds window, std::size_t response_size) {
    std::vector<load_result> each(static_cast<std::size_t>(clients));
    auto end = clock::now() + window;
    // A thread per client, requests back to back: on loopback as fast as an event loop.
    std::vector<std::thread> threads;
    for (auto& t : each)
        threads.emplace_back([=, &t] { while (clock::now() < end) one_request(port, response_size, end, t); });
    for (auto& thread : threads) thread.join();
    load_result all;
    for (auto& t : each) {
        all.completed += t.completed, all.failed += t.failed, all.unavailable += t.unavailable;
        all.unfinished += t.unfinished, all.retried += t.retried;
        all.latencies_us.insert(all.latencies_us.end(), t.latencies_us.begin(), t.latencies_us.end());
    }
    std::ranges::sort(all.latencies_us);
    auto at = [&](double p) { return all.latencies_us.empty() ? 0 : all.latencies_us[std::size_t(p / 100 * double(all.latencies_us.size() - 1))]; };
    all.p50_us = at(50), all.p99_us = at(99), all.p999_us = at(99.9), all.max_us = at(100);
    return all;
}

// wrk's -d takes whole seconds: it runs until SIGINT ends it, its figures written.
load_result run_wrk(int port, int clients, int depth, std::chrono::milliseconds window, bool close) {
    auto wrk = workshop::find_program("wrk");
    if (!wrk) throw std::runtime_error("wrk is not installed (./workshop bench installs it)");
    int threads = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, clients);
    auto started = workshop::start_command(*wrk, {"-t" + std::to_string(threads), "-c" + std::to_string(clients), "-d600s",
        "-s", BENCH_WRK_SCRIPT, "http://127.0.0.1:" + std::to_string(port) + "/", "--", std::to_string(depth), close ? "close" : ""});
    std::this_thread::sleep_for(window);
    ::kill(started.pid, SIGINT);
    auto result = workshop::finish_command(started, 10s);
    load_result r;
    auto at = std::min(result.out.find("answered "), result.out.size());
    if (std::sscanf(result.out.c_str() + at, "answered %" SCNu64 " failed %" SCNu64 " us %lf p50 %lf p99 %lf p999 %lf max %lf",
                    &r.completed, &r.failed, &r.seconds, &r.p50_us, &r.p99_us, &r.p999_us, &r.max_us) != 7)
        throw std::runtime_error("wrk failed: " + workshop::first_line(result.err + result.out));
    return r.seconds /= 1e6, r;
}

stalled_clients::stalled_clients(int port, int count, std::chrono::milliseconds limit) {
    // Close-on-exec (connect_to): servers the checks start meanwhile must not inherit them.
    auto deadline = clock::now() + limit;
    for (auto left = limit; fds_.size() < std::size_t(count) && left.count() > 0;
         left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()))
        if (auto fd = workshop::connect_to(port, left); fd.get() >= 0) fds_.push_back(std::move(fd));
}

// A held connection the server answered or closed is readable.
int stalled_clients::held() const {
    std::vector<pollfd> polls;
    for (const auto& fd : fds_) polls.push_back({fd.get(), POLLIN, 0});
    if (::poll(polls.data(), polls.size(), 0) < 0) return 0;
    return static_cast<int>(std::count_if(polls.begin(), polls.end(), [](const pollfd& p) { return p.revents == 0; }));
}

void stalled_clients::answer_once() {  // an answer is one small segment, read at once
    for (const auto& fd : fds_) workshop::send_all(fd.get(), workshop::kept_get);
    char buffer[4096];
    for (auto deadline = clock::now() + 3s; const auto& fd : fds_)
        if (wait_for(fd.get(), POLLIN, deadline)) (void)::recv(fd.get(), buffer, sizeof buffer, 0);
}

}  // namespace bench
