// Measuring: what the kernel itself counts, read beside the client's own
// figures: the listen queues' drops, the TCP segments sent, and a server's
// resident memory and CPU time, its children's included (nginx's workers).
// Linux only; elsewhere each returns nullopt and its column shows "-".
#include "bench.hpp"

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

#if defined(__linux__)
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#endif

namespace bench {

// /proc/net/netstat (TcpExt) and /proc/net/snmp (Tcp) hold pairs of lines:
// "TcpExt: Name1 Name2 ..." and "TcpExt: value1 value2 ...".
std::optional<double> kernel_counter(const std::string& group, const std::string& name) {
    for (const char* file : {"/proc/net/netstat", "/proc/net/snmp"}) {
        std::ifstream in(file);
        for (std::string names, values; std::getline(in, names) && std::getline(in, values);) {
            std::istringstream n(names), v(values);
            std::string key, value;
            if (!(n >> key && v >> value) || key != group + ":") continue;
            while (n >> key && v >> value)
                if (key == name) return std::stod(value);
        }
    }
    return std::nullopt;
}

std::optional<double> resident_bytes(pid_t pid) {
    auto kib = workshop::resident_kib(pid);
    return kib ? std::optional<double>(*kib * 1024.0) : std::nullopt;
}

// The children of each process are listed in /proc/<pid>/task/*/children
// (every thread's).
std::optional<double> over_tree(pid_t pid, std::optional<double> (*of)(pid_t)) {
    std::optional<double> total = of(pid);
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
        std::ifstream in(task.path() / "children");
        for (pid_t child; in >> child;)
            if (auto more = over_tree(child, of); total && more) *total += *more;
    }
    return total;
}

// Moves this process, before it starts any thread or child, into a network
// namespace of its own with its loopback up, so that ListenOverflows and
// OutSegs count the benchmark's traffic alone. Needs root; false elsewhere.
bool enter_own_network_namespace() {
#if defined(__linux__)
    if (::geteuid() != 0 || ::unshare(CLONE_NEWNET) != 0) return false;
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    ifreq lo{};
    std::strncpy(lo.ifr_name, "lo", IFNAMSIZ - 1);
    bool up = fd >= 0 && ::ioctl(fd, SIOCGIFFLAGS, &lo) == 0;
    lo.ifr_flags |= IFF_UP;
    up = up && ::ioctl(fd, SIOCSIFFLAGS, &lo) == 0;
    if (fd >= 0) ::close(fd);
    if (!up) throw std::runtime_error("in a network namespace of its own, loopback would not come up");
    return true;
#else
    return false;
#endif
}

}  // namespace bench
