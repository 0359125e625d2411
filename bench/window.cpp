// Measuring: one window on a fresh server, its figures as counters, the kernel's
// among them (Linux's; elsewhere -1, shown "-").
#include "bench.hpp"

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>

#if defined(__linux__)
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#endif

namespace bench {
namespace {

// /proc/net/netstat (TcpExt) and /proc/net/snmp (Tcp) hold pairs of lines:
// "TcpExt: Name1 Name2 ..." and "TcpExt: value1 value2 ...".
std::optional<double> kernel_counter(const std::string& group, const std::string& name) {
    for (const char* file : {"/proc/net/netstat", "/proc/net/snmp"}) {
        std::ifstream in(file);
        for (std::string names, values; std::getline(in, names) && std::getline(in, values);) {
            std::istringstream n(names), v(values);
            for (std::string key, value; n >> key && v >> value;)
                if (names.starts_with(group + ": ") && key == name) return std::stod(value);
        }
    }
    return std::nullopt;
}

// `of(pid)` summed over the process and its descendants (/proc/<pid>/task/*/children).
template <class Of>
std::optional<double> over_tree(pid_t pid, Of of) {
    std::optional<double> total = of(pid);
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
        std::ifstream in(task.path() / "children");
        for (pid_t child; in >> child;)
            if (auto more = over_tree(child, of); total && more) *total += *more;
    }
    return total;
}

void load_window(benchmark::State& state, const row& r, const workshop::server_process& server, int clients,
                 std::chrono::milliseconds length, int depth = 0) {
    auto difference = [](auto after, auto before) -> double { return after && before ? *after - *before : -1; };  // -1: n/a
    // /proc/<pid>/stat's CPU times cover every thread, those that have exited included.
    auto cpu = over_tree(server.pid(), workshop::cpu_seconds);
    auto overflows = kernel_counter("TcpExt", "ListenOverflows"), segments = kernel_counter("Tcp", "OutSegs");
    load_result load;
    for (auto _ : state) try { load = depth ? run_wrk(server.port(), clients, depth, length) : run_load(server.port(), clients, length, r.answer.size()); }
        catch (const std::runtime_error& e) { state.SkipWithError(e.what()); }
    double cpu_used = difference(over_tree(server.pid(), workshop::cpu_seconds), cpu);
    double sent = difference(kernel_counter("Tcp", "OutSegs"), segments);
    double answered = static_cast<double>(load.completed);
    state.counters.insert({
        {"req_per_s", load.rate()},
        {"answered", answered}, {"p50_us", load.p50_us}, {"p99_us", load.p99_us}, {"p999_us", load.p999_us}, {"max_us", load.max_us},
        {"cpu_us_per_req", cpu_used >= 0 && answered > 0 ? cpu_used * 1e6 / answered : -1},
        {"segs_per_req", sent >= 0 && answered > 0 ? sent / answered : -1},
        {"failed", load.failed}, {"got_503", load.unavailable}, {"unfinished", load.unfinished}, {"retried", load.retried},
        {"overflows", difference(kernel_counter("TcpExt", "ListenOverflows"), overflows)},
    });
}

}  // namespace

// Into a network namespace of our own, loopback up, before any thread or child
// starts, so ListenOverflows and OutSegs count our traffic alone (needs root).
bool enter_own_network_namespace() {
#if defined(__linux__)
    if (::geteuid() != 0 || ::unshare(CLONE_NEWNET) != 0) return false;
    workshop::socket_fd fd(::socket(AF_INET, SOCK_DGRAM, 0));
    ifreq lo{};
    std::strncpy(lo.ifr_name, "lo", IFNAMSIZ - 1);
    bool known = ::ioctl(fd.get(), SIOCGIFFLAGS, &lo) == 0;
    lo.ifr_flags |= IFF_UP;
    if (!known || ::ioctl(fd.get(), SIOCSIFFLAGS, &lo) != 0)
        throw std::runtime_error("in a network namespace of its own, loopback would not come up");
    return true;
#else
    return false;
#endif
}

void measure_scenario(benchmark::State& state, row& r, const scenario& s, const settings& config) {
    auto server = start_window(state, r, std::string(s.title));
    if (!server) return;
    stalled_clients stalled(server->port(), s.stalled);
    load_window(state, r, *server, s.clients, (s.depth ? config.kept : config.scenario).length, s.depth);
    state.counters["stalled"] = stalled.opened();
}

void measure_clients(benchmark::State& state, row& r, int clients, const settings& config) {
    auto server = start_window(state, r, std::to_string(clients) + " clients");
    if (server) load_window(state, r, *server, clients, config.clients.length);
}

// `count` silent connections held open: the server's memory for them, how
// long a fresh client waits, and throughput while they are held.
void measure_held(benchmark::State& state, row& r, int count, const settings& config) {
    auto server = start_window(state, r, std::to_string(count) + " idle connections held");
    if (!server) return;
    auto before = over_tree(server->pid(), workshop::resident_kib);
    stalled_clients idle(server->port(), count, 5s);
    if (r.keeps) idle.answer_once();  // it holds them as they are after an answer
    // Let the server accept them all (and a threaded one start its threads).
    std::this_thread::sleep_for(count > 0 ? 300ms : 0ms);
    auto after = over_tree(server->pid(), workshop::resident_kib);
    int held = idle.held();
    load_result fresh = run_load(server->port(), 1, config.idle.length / 2, r.answer.size());
    load_window(state, r, *server, held_load_clients, config.idle.length);
    state.counters.insert({
        {"silent_opened", idle.opened()}, {"silent_held", held}, {"fresh_p50_us", fresh.p50_us},
        {"fresh_answered", fresh.completed}, {"fresh_503", fresh.unavailable}, {"rss_bytes", after ? *after * 1024 : -1},
        {"rss_per_held", before && after && held > 0 ? (*after - *before) * 1024 / held : -1},
    });
}

}  // namespace bench
