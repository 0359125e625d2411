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

struct load_result {
    std::uint64_t completed = 0;   // full responses of the expected size
    std::uint64_t failed = 0;      // refused, cut short or the wrong size
    std::uint64_t unfinished = 0;  // still waiting when the window closed
    double seconds = 0;            // the window, as measured
    std::vector<float> latencies_us;  // connect to last byte, one per completed request

    double requests_per_second() const { return seconds > 0 ? completed / seconds : 0; }
    // The p-th percentile (0-100) of the latencies; 0 when nothing completed.
    double percentile_us(double p) const;
};

load_result run_load(const load_plan& plan);

// Connections that connect and then send nothing, held open for the
// lifetime of this object: the clients a one-at-a-time server waits on.
class stalled_clients {
public:
    stalled_clients(int port, int count);
    int held() const { return static_cast<int>(fds_.size()); }

private:
    std::vector<workshop::socket_fd> fds_;
};

}  // namespace bench
