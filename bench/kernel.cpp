#include "kernel.hpp"

#include "support/process.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>
#include <vector>

#if defined(__linux__)
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#endif

namespace bench {
namespace {

// /proc/net/netstat and /proc/net/snmp hold pairs of lines:
// "TcpExt: Name1 Name2 ..." and "TcpExt: value1 value2 ...".
std::optional<std::uint64_t> counter_value(const char* file, const std::string& group,
                                           const std::string& name) {
    std::ifstream in(file);
    for (std::string names, values; std::getline(in, names) && std::getline(in, values);) {
        std::istringstream n(names), v(values);
        std::string key, value;
        n >> key;
        v >> value;
        if (key != group + ":") continue;
        while (n >> key && v >> value)
            if (key == name) return std::stoull(value);
    }
    return std::nullopt;
}

// The parent of process `pid`: the fourth field of /proc/<pid>/stat, after
// the command name in parentheses (which may itself hold spaces).
std::optional<pid_t> parent_of(const std::filesystem::path& proc_dir) {
    std::ifstream in(proc_dir / "stat");
    std::string stat;
    std::getline(in, stat);
    auto close = stat.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream rest(stat.substr(close + 1));
    std::string state;
    pid_t parent = 0;
    if (!(rest >> state >> parent)) return std::nullopt;
    return parent;
}

std::vector<pid_t> children_of(pid_t pid) {
    std::vector<pid_t> children;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        if (parent_of(entry.path()) == pid) children.push_back(std::stoi(name));
    }
    return children;
}

std::optional<std::uint64_t> own_resident_bytes(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("VmRSS:")) return std::stoull(line.substr(6)) * 1024;  // in kB
    return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> listen_overflows() {
    return counter_value("/proc/net/netstat", "TcpExt", "ListenOverflows");
}

std::optional<std::uint64_t> tcp_segments_sent() {
    return counter_value("/proc/net/snmp", "Tcp", "OutSegs");
}

bool enter_own_network_namespace() {
#if defined(__linux__)
    if (::geteuid() != 0 || ::unshare(CLONE_NEWNET) != 0) return false;
    // A new namespace has one interface, loopback, and it is down.
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

std::optional<std::uint64_t> resident_bytes(pid_t pid) {
    auto total = own_resident_bytes(pid);
    if (!total) return std::nullopt;
    for (pid_t child : children_of(pid))
        if (auto more = resident_bytes(child)) *total += *more;
    return total;
}

std::string raise_descriptor_limit(std::uint64_t wanted) {
    rlim_t now = workshop::raise_descriptor_limit(static_cast<rlim_t>(wanted));
    std::string said = "descriptor limit " + std::to_string(now);
    if (now < wanted)
        said += " (the most it could be raised to; " + std::to_string(wanted) +
                " wanted, so the largest idle sweep holds fewer connections)";
    return said;
}

}  // namespace bench
