// How cost grows: the client sweep (requests per second against concurrent
// clients) and the idle sweep (silent connections held open).
#include "format.hpp"
#include "sections.hpp"

namespace bench {
namespace {

std::string percent(double cv) { return "±" + fixed(cv * 100, 0) + "%"; }

std::string client_cell(const measurement& m) {
    if (!m.measured()) return "not measured";
    if (m.stalled()) return "stalled";
    spread rps = m["requests_per_second"];
    std::string cell = thousands(rps.median) + (m.windows > 1 ? " " + percent(rps.cv) : "");
    if (m["retried"].sum > 0) cell += ", " + thousands(m["retried"].sum) + " retried";
    return cell;
}

// "503 to 9,000; 1,024 held"
std::string idle_notes(const measurement& m, int count) {
    std::vector<std::string> notes;
    if (!m.problem.empty()) notes.push_back("a window failed: " + m.problem);
    if (m["opened"].min < count)
        notes.push_back("only " + thousands(m["opened"].min) + " connected (refused or dropped)");
    if (m["held"].min < m["opened"].min)
        notes.push_back("closed or answered " + thousands(m["opened"].min - m["held"].min) +
                        " of them at once (503 past its limit)");
    if (m["fresh_unavailable"].sum > 0) notes.push_back("a fresh client got 503");
    else if (m["fresh_completed"].max == 0) notes.push_back("a fresh client got no answer");
    if (m["unavailable"].sum > 0)
        notes.push_back(thousands(m["unavailable"].sum) + " of the load's requests got 503");
    if (m["retried"].sum > 0) notes.push_back(thousands(m["retried"].sum) + " retried");
    return joined(notes);
}

// How long the fresh client waited, over the windows it was answered in.
std::string fresh_client(const measurement& m) {
    spread answered = m["fresh_completed"];
    if (answered.max == 0) return "no answer";
    if (answered.min == 0) return "no answer in some windows; at most " + ms(m["fresh_p50_us"].max);
    return with_range(m["fresh_p50_us"], m.windows, ms);
}

}  // namespace

void write_client_sweep(std::ostream& out, const results& r) {
    out << "## How throughput grows with clients\n\n"
           "Requests per second (median over the windows, ± their coefficient of variation) as "
           "the number of concurrent clients grows; *retried*: connections that had to be retried "
           "because a full accept queue dropped their SYN or handshake, summed over the windows. "
           "Chart: `clients.png`.\n\n"
        << "| server |";
    for (int c : client_counts) out << " " << c << " |";
    out << "\n|---|";
    for (std::size_t i = 0; i < client_counts.size(); ++i) out << "--:|";
    out << "\n";
    for (const row& w : r.rows) {
        if (!w.in_client_sweep()) continue;
        out << "| " << w.server.name << " |";
        for (const measurement& m : w.by_clients) out << " " << client_cell(m) << " |";
        out << "\n";
    }
    out << "\nThe emulated row is left out of the sweeps to keep the run short.\n\n";
}

void write_idle_sweep(std::ostream& out, const results& r) {
    out << "## What idle connections cost\n\n"
           "For each server that serves clients concurrently: connections that connect and send "
           "nothing are opened and held; then one fresh client asks alone, then "
        << held_load_clients
        << " clients load it. *Memory per held connection*: resident memory of the server and "
           "its children with them held, minus before they came, over the number still held. "
           "Medians over the windows, min–max in brackets. A server that cannot hold them says "
           "so in its notes. Chart: `idle.png`.\n\n"
           "| server | held | resident MiB | bytes per held connection | fresh client ms | "
           "req/s with " << held_load_clients << " clients | vs none held | notes |\n"
           "|---|--:|--:|--:|--:|--:|--:|---|\n";
    for (const row& w : r.rows) {
        if (!w.concurrent()) continue;
        const measurement& unloaded = w.by_held[0];
        for (std::size_t i = 0; i < held_counts.size(); ++i) {
            const measurement& m = w.by_held[i];
            out << "| " << w.server.name << " | " << thousands(held_counts[i]) << " | ";
            if (!m.measured()) {
                out << "- | - | - | - | - | " << m.why_not_measured() << " |\n";
                continue;
            }
            spread per = m["rss_per_held"], rps = m["requests_per_second"];
            std::string vs = unloaded.measured() && unloaded.median("requests_per_second") > 0
                                 ? fixed(rps.median / unloaded.median("requests_per_second"), 2)
                                 : "-";
            bool memory = m.counters.count("rss_bytes") > 0;  // from /proc: Linux only
            out << (memory ? fixed(m.median("rss_bytes") / (1 << 20), 1) : "-") << " | "
                << (!memory || held_counts[i] == 0 || m["held"].max == 0 ? "-" : with_range(per, m.windows, thousands))
                << " | " << fresh_client(m)
                << " | " << with_range(rps, m.windows, thousands) << " | " << vs << " | "
                << idle_notes(m, held_counts[i]) << " |\n";
        }
    }
    out << "\n";
}

}  // namespace bench
