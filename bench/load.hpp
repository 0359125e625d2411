// Connection-per-request load over loopback. Each client connects, sends one
// request that says "Connection: close", reads the whole response, closes,
// and starts again, until the measuring window ends. Nothing waits past the
// window: a server that stops answering shows up as unfinished requests.
#pragma once

#include "support/client.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace bench {

// Every request the benchmark sends; keep-alive servers close after it too.
inline const std::string request =
    "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

struct load_plan {
    int port = 0;
    int clients = 1;                  // concurrent connections
    std::chrono::milliseconds window{1000};
    std::size_t response_size = 0;    // bytes of one full response (from the check)
};

// Packets of a connection that the server's full accept queue dropped:
// SYNs, and the ACK and request that end a handshake. The kernel counts
// each as one ListenOverflow.
struct drops {
    std::uint64_t syn = 0, handshake_end = 0;
};

// The client tells drops through Linux's TCP_INFO; elsewhere it cannot.
#if defined(__linux__)
inline constexpr bool sees_drops = true;
#else
inline constexpr bool sees_drops = false;
#endif

struct load_result {
    std::uint64_t completed = 0;   // full responses of the expected size
    std::uint64_t failed = 0;      // refused, cut short or the wrong size
    std::uint64_t unavailable = 0; // of those: answered "503 Service Unavailable"
    std::uint64_t unfinished = 0;  // still waiting when the window closed
    // Connections that had to be retried because the server's full accept
    // queue dropped one of their packets (see load.cpp), and those drops.
    std::uint64_t retried = 0;
    drops dropped;
    double seconds = 0;            // the window, as measured
    std::vector<float> latencies_us;  // connect to last byte, one per completed request

    double requests_per_second() const { return seconds > 0 ? completed / seconds : 0; }
    // The p-th percentile (0-100) of the latencies; 0 when nothing completed.
    double percentile_us(double p) const;
};

load_result run_load(const load_plan& plan);

// Connections that connect and then send nothing, held open for the
// lifetime of this object: the clients a one-at-a-time server waits on,
// and the idle connections an event loop should hold cheaply.
class stalled_clients {
public:
    stalled_clients(int port, int count,
                    std::chrono::milliseconds limit = std::chrono::seconds(2));
    ~stalled_clients();  // resets them all: thousands of TIME_WAITs would use up ports
    stalled_clients(const stalled_clients&) = delete;
    stalled_clients& operator=(const stalled_clients&) = delete;
    int opened() const { return static_cast<int>(fds_.size()); }
    // Those the server has not closed or answered (a 503, say) yet.
    int held() const;

private:
    std::vector<workshop::socket_fd> fds_;
};

}  // namespace bench
