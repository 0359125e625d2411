// The three scenario tables, and the check of the client's dropped
// connections against the kernel's own count.
#include "format.hpp"
#include "load.hpp"
#include "sections.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace bench {
namespace {

constexpr std::string_view baseline = "01-raw-asm";

std::string ratio(const measurement& m, const measurement* base) {
    if (!m.measured() || !base || base->median("requests_per_second") == 0) return "-";
    return fixed(m.median("requests_per_second") / base->median("requests_per_second"), 2);
}

// One line of a scenario's table.
struct cells {
    std::string name, rps, range, p50, p99, p999, max, retried, segments, vs_baseline, vs_nginx, notes;
};

std::string count(double v) { return thousands(v); }

std::string drops(const measurement& m) {
    if (!sees_drops) return "-";
    std::string client = count(m["retried"].sum);
    spread kernel = m["listen_overflows"];
    return kernel.min < 0 ? client : client + " (" + count(kernel.sum) + ")";
}

// TCP segments per answered request, both sides, as the kernel counts them
// (median window). Only in a network namespace of the benchmark's own:
// elsewhere every other program's traffic would land in the count.
std::string segments(const results& r, const measurement& m) {
    spread per_request = m["segments_per_request"];
    if (!r.config.own_network || per_request.min < 0) return "-";  // or a window answered nothing
    return fixed(per_request.median, 2);
}

cells cells_for(const results& r, const row& w, std::size_t s) {
    const measurement& m = w.by_scenario[s];
    cells c{w.server.name, "-", "-", "-", "-", "-", "-", "-", "-", ratio(m, r.scenario(baseline, s)),
            ratio(m, r.scenario("nginx", s)), ""};
    std::vector<std::string> notes;
    if (w.server.what == target::kind::emulated) notes.push_back("emulated (qemu-aarch64)");
    if (w.server.what == target::kind::reference) notes.push_back("reference");
    if (!m.measured()) {
        notes.push_back(m.why_not_measured());
        c.notes = joined(notes);
        return c;
    }
    if (!m.problem.empty()) notes.push_back("a window failed: " + m.problem);
    c.retried = drops(m);
    c.segments = segments(r, m);
    if (m.stalled()) {
        c.rps = "0";
        c.p50 = c.p99 = c.p999 = c.max = "stalled";
        notes.push_back("no answer within any window (" + count(m["unfinished"].sum) +
                        " requests left waiting)");
    } else {
        spread rps = m["requests_per_second"];
        c.rps = thousands(rps.median);
        c.range = thousands(rps.min) + "–" + thousands(rps.max);
        c.p50 = ms(m.median("p50_us"));
        c.p99 = ms(m.median("p99_us"));
        c.p999 = ms(m.median("p999_us"));
        c.max = ms(m["max_us"].max);
        if (m["completed"].min == 0) notes.push_back("stalled in some windows");
        if (m["failed"].sum > 0) notes.push_back(count(m["failed"].sum) + " failed requests");
    }
    if (m["retried"].sum > 0)
        notes.push_back("accept queue overflowed: dropped connections waited ~1 s for a resend");
    if (m["stalled_held"].min != scenarios[s].stalled)
        notes.push_back("only " + count(m["stalled_held"].min) + " stalled connections held");
    c.notes = joined(notes);
    return c;
}

// The client's drops against the kernel's ListenOverflows.
std::string agreement(double client, const spread& kernel) {
    if (kernel.min < 0) return "no kernel counter here";
    if (client == kernel.sum) return "equal";
    double difference = std::abs(client - kernel.sum);
    return std::string(client < kernel.sum ? "kernel" : "client") + " " + count(difference) +
           " higher (" + fixed(100 * difference / std::max(client, kernel.sum), 1) + "%)";
}

}  // namespace

std::uint64_t retried_connections(const measurement& m) {
    return static_cast<std::uint64_t>(m["retried"].sum);
}

void write_scenario_table(std::ostream& out, const results& r, std::size_t s) {
    out << "| server | req/s | min–max | p50 ms | p99 ms | p99.9 ms | max ms | retried (kernel) | "
           "TCP segments per request | vs 01 | vs nginx | notes |\n"
        << "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n";
    for (const row& w : r.rows) {
        cells c = cells_for(r, w, s);
        out << "| " << c.name << " | " << c.rps << " | " << c.range << " | " << c.p50 << " | "
            << c.p99 << " | " << c.p999 << " | " << c.max << " | " << c.retried << " | "
            << c.segments << " | " << c.vs_baseline << " | " << c.vs_nginx << " | " << c.notes
            << " |\n";
    }
}

void print_scenario_table(std::ostream& out, const results& r, std::size_t s) {
    char line[768];
    const char* format = "  %-22s %8s %15s %8s %8s %8s %8s %12s %8s %6s %8s  %s\n";
    out << "\n" << scenarios[s].title << "\n";
    std::snprintf(line, sizeof line, format, "server", "req/s", "min-max", "p50 ms", "p99 ms",
                  "p99.9 ms", "max ms", "retried(kern)", "segs/req", "vs 01", "vs nginx", "notes");
    out << line;
    for (const row& w : r.rows) {
        cells c = cells_for(r, w, s);
        std::snprintf(line, sizeof line, format, c.name.c_str(), c.rps.c_str(), c.range.c_str(),
                      c.p50.c_str(), c.p99.c_str(), c.p999.c_str(), c.max.c_str(),
                      c.retried.c_str(), c.segments.c_str(), c.vs_baseline.c_str(),
                      c.vs_nginx.c_str(), c.notes.c_str());
        out << line;
    }
}

void write_drop_check(std::ostream& out, const results& r) {
    out << "## Dropped connections, counted twice\n\n"
           "On loopback no packet is lost except what a full accept queue drops. The client "
           "tells those drops from its own side of each connection (`TCP_INFO`, read when the "
           "handshake completes and again before it closes): every SYN it had to resend, or "
           "that was still unanswered after 100 ms when the window closed, was dropped; and if "
           "its request had to be resent (or was unacknowledged when the window closed on it), "
           "the server's kernel dropped the handshake's last ACK and each copy of the request "
           "it did not acknowledge. The kernel counts each such drop once as `ListenOverflows` "
           "in `/proc/net/netstat`, read before and after every window. "
        << (r.config.own_network
                ? "The benchmark runs in a network namespace of its own, so that counter holds "
                  "its drops alone. "
                : "That counter covers every listener in the machine's network namespace (the "
                  "benchmark gets one of its own only when run as root): other programs' drops "
                  "during a window land in it too. ")
        << "A SYN drop is seen alike on both sides. A handshake-end drop is inferred: when "
           "the last ACK is dropped but the request right behind it gets in, the connection "
           "loses nothing and the client sees no trace of it, so where handshake ends are "
           "dropped the kernel's count runs somewhat higher. Sums over all windows:\n\n"
           "| server | scenario | client: SYNs | client: handshake ends | client: all | "
           "kernel: ListenOverflows | agreement |\n"
           "|---|---|--:|--:|--:|--:|---|\n";
    for (const row& w : r.rows)
        for (std::size_t s = 0; s < scenarios.size(); ++s) {
            const measurement& m = w.by_scenario[s];
            if (!m.measured()) continue;
            double syn = m["syn_drops"].sum, end = m["handshake_end_drops"].sum;
            spread kernel = m["listen_overflows"];
            out << "| " << w.server.name << " | " << scenarios[s].title << " | " << count(syn)
                << " | " << count(end) << " | " << count(syn + end) << " | "
                << (kernel.min < 0 ? "-" : count(kernel.sum)) << " | "
                << agreement(syn + end, kernel) << " |\n";
        }
    out << "\nThe tables' *retried* column counts connections that saw at least one drop, and "
           "in brackets the kernel's count of drops.\n\n";
}

}  // namespace bench
