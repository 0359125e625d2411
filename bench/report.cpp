#include "report.hpp"

#include "format.hpp"
#include "sections.hpp"

#include "support/process.hpp"
#include "tools.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sys/utsname.h>
#include <thread>

namespace bench {
namespace {

std::string first_line_of_file(const std::filesystem::path& file, std::string_view prefix) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
        if (line.starts_with(prefix)) return line.substr(line.find(':') + 2);
    return "";
}

std::string machine() {
    utsname u{};
    ::uname(&u);
    std::string cpu = first_line_of_file("/proc/cpuinfo", "model name");
    return std::to_string(std::thread::hardware_concurrency()) + " cores" +
           (cpu.empty() ? "" : " (" + cpu + ")") + ", " + u.sysname + " " + u.release + " " +
           u.machine + ", stages built with " + BENCH_COMPILER;
}

std::string now() {
    std::time_t t = std::time(nullptr);
    char text[64];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M %Z", std::localtime(&t));
    return text;
}

std::string nginx_version() {
    auto nginx = find_tool("nginx");
    if (!nginx) return "not installed";
    std::string v = workshop::run_command(*nginx, {"-v"}).err;  // "nginx version: nginx/1.22.1"
    auto slash = v.find('/');
    return slash == std::string::npos ? "?" : v.substr(slash + 1, v.find_first_of("\r\n") - slash - 1);
}

// --- report.md ---------------------------------------------------------------

void write_client_check(std::ostream& out, const results& r) {
    const client_check& c = r.client;
    out << "## Is the client what is measured?\n\n"
        << "wrk and the benchmark's own client, taking turns against one 01-raw-asm server "
        << "(32 connections, `-H \"Connection: close\"`, wrk with one thread per core), best of "
        << r.config.client_check_rounds << " runs of " << r.config.wrk_window.count()
        << " s each. 01-raw-asm's accept queue overflows with 32 clients, so both figures carry "
           "the luck of its dropped connections:\n\n";
    if (!c.wrk || !c.ours) {
        out << "not measured: " << c.problem << "\n\n";
        return;
    }
    double x = *c.ours / *c.wrk;
    out << "| client | req/s |\n|---|--:|\n"
        << "| wrk | " << thousands(*c.wrk) << " |\n"
        << "| this benchmark | " << thousands(*c.ours) << " |\n\n"
        << "The benchmark's client reaches " << fixed(x, 2) << "× wrk's figure ("
        << (x >= 0.9 ? "at least 0.9×, as required: the server, not the client, sets the pace"
                     : "below the 0.9× it should reach: treat the figures as the client's limit")
        << ").\n\n";
}

void write_nginx_headers(std::ostream& out, const results& r) {
    const row* nginx = r.find("nginx");
    if (!nginx || nginx->header_differences.empty()) return;
    out << "## nginx's answer against the golden response\n\n"
        << "Its status line, `Content-Type` and body are the golden response's (checked before "
        << "measuring). Its header lines differ (`+` only nginx sends it, `-` only the golden "
        << "response has it):\n\n";
    for (const auto& line : nginx->header_differences) out << "    " << line << "\n";
    out << "\n";
}

template <class T, class Format>
std::string or_dash(const std::optional<T>& value, Format format) {
    return value ? format(*value) : "-";
}

std::string syscalls_cell(const stage_costs& c) {
    return or_dash(c.syscalls_per_request, [](double v) { return fixed(v, 1); });
}

std::string instructions_cell(const stage_costs& c) {
    return or_dash(c.instructions_per_request, [](double v) { return thousands(v); });
}

void write_costs(std::ostream& out, const results& r) {
    out << "## Cost per request\n\n"
        << "| stage | system calls | user-space instructions | stripped binary, bytes | "
           "lines of source | notes |\n|---|--:|--:|--:|--:|---|\n";
    for (const row& w : r.rows) {
        if (!w.costs) continue;
        const stage_costs& c = *w.costs;
        out << "| " << w.server.name << " | " << syscalls_cell(c) << " | " << instructions_cell(c)
            << " | "
            << or_dash(c.stripped_bytes, [](auto v) { return thousands(static_cast<double>(v)); })
            << " | " << or_dash(c.source_lines, [](int v) { return std::to_string(v); }) << " | "
            << c.note << " |\n";
    }
    out << "\nHow counted: each stage serves " << r.config.cost_requests
        << " requests one after another, once under `strace -f -c` (system calls, "
           "all threads) and once under `valgrind --tool=callgrind` (instructions executed in "
           "user space, the C and C++ libraries included); each tool also runs the stage for "
           "no request, and the difference divided by "
        << r.config.cost_requests
        << " is the figure, so start-up and shutdown cancel out. The counts of the stages that "
           "serve one connection at a time (01 to 03) repeat from run to run; those of a stage "
           "with several threads or loops vary with which of them wakes for each connection "
           "(05's system calls ran from 5.0 to 7.2 in runs on two cores). Binary size: `strip` "
           "of a copy. Lines of source: non-blank lines, "
           "comments included, of the `.c .cc .cpp .h .hpp .S .s` files in the stage's "
           "directory (CMakeLists.txt not counted; 01-raw-asm holds both the ARM64 and the "
           "x86-64 assembly). The emulated row and nginx are not counted.\n\n";
}

}  // namespace

void print_tables(std::ostream& out, const results& r) {
    for (std::size_t s = 0; s < scenarios.size(); ++s) {
        // A scenario --benchmark_filter left out entirely: no table of dashes.
        bool ran = std::any_of(r.rows.begin(), r.rows.end(), [s](const row& w) {
            return w.by_scenario[s].measured() || !w.by_scenario[s].problem.empty();
        });
        if (ran) print_scenario_table(out, r, s);
    }
    if (std::none_of(r.rows.begin(), r.rows.end(), [](const row& w) { return w.costs.has_value(); }))
        return;
    char line[256];
    const char* format = "  %-22s %14s %14s  %s\n";
    out << "\ncost per request\n";
    std::snprintf(line, sizeof line, format, "stage", "system calls", "instructions", "notes");
    out << line;
    for (const row& w : r.rows) {
        if (!w.costs) continue;
        std::snprintf(line, sizeof line, format, w.server.name.c_str(),
                      syscalls_cell(*w.costs).c_str(), instructions_cell(*w.costs).c_str(),
                      w.costs->note.c_str());
        out << line;
    }
}

void write_report(const std::filesystem::path& file, const results& r, const charts& drawn) {
    std::ofstream out(file);
    const settings& config = r.config;
    out << "# Benchmark\n\n"
        << (config.quick ? "A quick run (`./workshop bench --quick`)" : "A full run (`./workshop bench`)")
        << " of " << now() << ".\n\n"
        << "Machine: " << machine() << "; nginx " << nginx_version() << "; "
        << config.descriptor_limit << "; "
        << (config.own_network ? "run in a network namespace of its own"
                               : "run in the machine's network namespace")
        << ".\n\n"
        << "Every server answers `GET /` on loopback. Each request opens a new connection and "
           "says `Connection: close`; a client sends it, reads the whole response, closes, and "
           "starts again. Each row and scenario is measured in "
        << config.scenario.count << " windows of " << fixed(config.scenario.length.count() / 1000.0, 2)
        << " s, each on a fresh server, and Google Benchmark runs the windows of all rows in a "
           "random order, so that a slow moment of the machine falls on every row alike. Tables "
           "give the median window and the spread (min–max, or ± the coefficient of variation); "
           "ratios compare medians. Latency runs from connect to the last byte (p50, p99 and "
           "p99.9 are medians over the windows, max the largest of all). A server that answers "
           "nothing in a window shows 0 and *stalled*. Before measuring, each server must "
           "answer once with the golden bytes (`tests/golden/response.http`), or its row says "
           "why it was not measured. Raw figures: `results.json` (Google Benchmark, every "
           "window and its aggregates).\n\n"
           "A connection whose SYN finds the server's accept queue full is dropped by the kernel, "
           "and the client's kernel sends it again a second later: one such connection costs "
           "more than thousands of served requests. The *retried* column counts them, and "
           "*Dropped connections, counted twice* checks that count against the kernel's.\n\n"
        << "*TCP segments per request* counts the segments the kernel sent per answered "
           "request, both sides together (`Tcp OutSegs` in `/proc/net/snmp`, read before and "
           "after every window and divided by the requests answered; the median window). It is "
           "counted, not timed, and each segment is work for both kernels: a server whose "
           "answer and FIN leave in one segment spares the FIN's own, and usually the client's "
           "acknowledgement in between. "
        << (config.own_network
                ? "The benchmark runs in a network namespace of its own, so the count is its "
                  "traffic alone.\n\n"
                : "Only counted in a network namespace of the benchmark's own (as root, on "
                  "Linux); here every other program's traffic would land in it, so the column "
                  "shows `-`.\n\n")
        << "The ARM64 original runs under qemu-aarch64, which translates its instructions but "
           "hands its system calls to the host kernel as they are; stage 01 spends nearly all "
           "its time in system calls, so emulation costs it little.\n\n";
    if (drawn.throughput)
        out << "![Requests per second per server and scenario](" << drawn.throughput->filename().string() << ")\n\n";

    for (std::size_t s = 0; s < scenarios.size(); ++s) {
        out << "## " << scenarios[s].title << "\n\n";
        if (s == with_stalled)
            out << "16 connections that connect and never send are opened first and held open "
                   "for the whole window. 02-c-abi-from-cpp waits on the first of them until it "
                   "leaves; 03-raii-cpp runs with its default `--read-timeout` of 5 s, so it "
                   "would drop one silent client every 5 s, and the 16 hold it far longer than "
                   "any window: both show *stalled*. A server that serves clients concurrently "
                   "keeps answering.\n\n";
        write_scenario_table(out, r, s);
        out << "\n";
    }
    write_drop_check(out, r);
    write_client_sweep(out, r);
    if (drawn.clients) out << "![Requests per second against concurrent clients](" << drawn.clients->filename().string() << ")\n\n";
    write_idle_sweep(out, r);
    if (drawn.idle) out << "![Throughput and memory with idle connections held](" << drawn.idle->filename().string() << ")\n\n";
    write_client_check(out, r);
    write_nginx_headers(out, r);
    write_costs(out, r);
    write_goals(out, r);
}

}  // namespace bench
