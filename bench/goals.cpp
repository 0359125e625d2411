// The goals: each a line a figure must clear, judged on medians, and
// "within noise" when the spread of the windows straddles the line. A goal
// whose row is absent is "not measured", never met; the goals of stage 05
// start counting as soon as bin/ holds it.
#include "format.hpp"
#include "sections.hpp"

#include <algorithm>

namespace bench {
namespace {

constexpr std::string_view baseline = "01-raw-asm";

// A figure with the lowest and highest values its windows allow.
struct bounds {
    double median = 0, low = 0, high = 0;
};

bounds of(const spread& s) { return {s.median, s.min, s.max}; }

bounds over(const bounds& a, const bounds& b) {
    auto div = [](double x, double y) { return y > 0 ? x / y : 0; };
    return {div(a.median, b.median), div(a.low, b.high), div(a.high, b.low)};
}

enum class verdict { met, missed, within_noise, not_measured };

const char* to_string(verdict v) {
    switch (v) {
        case verdict::met: return "met";
        case verdict::missed: return "missed";
        case verdict::within_noise: return "within noise";
        case verdict::not_measured: return "not measured";
    }
    return "?";
}

// tutorial: verdict
verdict at_least(const bounds& b, double line) {
    return b.low >= line ? verdict::met : b.high < line ? verdict::missed : verdict::within_noise;
}

verdict at_most(const bounds& b, double line) {
    return b.high <= line ? verdict::met : b.low > line ? verdict::missed : verdict::within_noise;
}
// end tutorial

// Both parts must hold: one missed part misses the goal, one unsure part
// leaves it within noise.
verdict both(verdict a, verdict b) {
    for (verdict v : {verdict::not_measured, verdict::missed, verdict::within_noise})
        if (a == v || b == v) return v;
    return verdict::met;
}

struct goal {
    std::string id, text;
    verdict status = verdict::not_measured;
    std::vector<std::string> figures;  // what was measured, then why
};

// Why a row's figure is missing.
std::string absent(const results& r, std::string_view name, std::string_view problem) {
    if (!r.find(name)) return "no " + std::string(name) + " binary in this run";
    return std::string(name) + " was not measured" +
           (problem.empty() ? "" : ": " + std::string(problem));
}

// What one request of `name` costs, as far as it was counted: system calls
// and instructions (stages only), TCP segments in scenario s (only in a
// network namespace of the benchmark's own). Empty when nothing was.
std::string costs_phrase(const results& r, std::string_view name, std::size_t s) {
    std::vector<std::string> parts;
    const row* w = r.find(name);
    if (w && w->costs && w->costs->syscalls_per_request && w->costs->instructions_per_request)
        parts = {fixed(*w->costs->syscalls_per_request, 1) + " system calls",
                 thousands(*w->costs->instructions_per_request) + " instructions"};
    const measurement* m = r.scenario(name, s);
    if (r.config.own_network && m && (*m)["segments_per_request"].min >= 0)
        parts.push_back(fixed(m->median("segments_per_request"), 2) + " TCP segments");
    if (parts.empty()) return "";
    std::string phrase = parts.front();
    for (std::size_t i = 1; i < parts.size(); ++i)
        phrase += (i + 1 == parts.size() ? " and " : ", ") + parts[i];
    return phrase + " per request";
}

std::string retried_phrase(std::string_view name, const measurement& m) {
    return std::string(name) + ": " + thousands(static_cast<double>(retried_connections(m))) +
           " connections retried (kernel: " + thousands(m["listen_overflows"].sum) +
           " ListenOverflows)";
}

// Why a throughput comparison of a with b is not met. Dropped connections
// first: each costs its client a second, far more than any difference in
// code. Only when `a` dropped none are its counted costs what remains.
std::string why(const results& r, std::string_view a, std::string_view b, std::size_t s) {
    const measurement *ma = r.scenario(a, s), *mb = r.scenario(b, s);
    bool a_dropped = ma && retried_connections(*ma) > 0, b_dropped = mb && retried_connections(*mb) > 0;
    if (a_dropped && b_dropped)
        return "Why: both accept queues overflowed (" + retried_phrase(a, *ma) + "; " +
               retried_phrase(b, *mb) +
               "); a retried client waits a second, so these figures measure the drops more "
               "than the code";
    if (a_dropped)
        return "Why: " + std::string(a) + "'s accept queue overflowed (" + retried_phrase(a, *ma) +
               ", each a second later), " + std::string(b) + "'s did not";
    std::string ca = costs_phrase(r, a, s), cb = costs_phrase(r, b, s);
    std::string also = b_dropped ? " (" + std::string(b) + "'s own figure is lowered by its " +
                                       thousands(static_cast<double>(retried_connections(*mb))) +
                                       " retried connections)"
                                 : "";
    if (ca.empty()) return also.empty() ? "" : "Note" + also;
    return "No connection of " + std::string(a) + " was dropped; what remains: it makes " + ca +
           (cb.empty() ? "" : ", " + std::string(b) + " " + cb) +
           " (see Cost per request and the scenario's table)" + also;
}

// "a in scenario sa is at least `line` times b in scenario sb".
goal throughput_ratio(const results& r, std::string id, std::string text, std::string_view a,
                      std::size_t sa, std::string_view b, std::size_t sb, double line) {
    goal g{std::move(id), std::move(text)};
    const measurement *ma = r.scenario(a, sa), *mb = r.scenario(b, sb);
    if (!ma || !mb) {
        std::string_view missing = ma ? b : a;
        const row* w = r.find(missing);
        g.figures.push_back(absent(r, missing, w ? w->by_scenario[ma ? sb : sa].problem : ""));
        return g;
    }
    bounds x = over(of((*ma)["requests_per_second"]), of((*mb)["requests_per_second"]));
    g.status = at_least(x, line);
    std::string against = a == b ? "against its " + std::string(scenarios[sb].title) + " figure"
                                 : "against " + std::string(b);
    g.figures.push_back(against + ": " + fixed(x.median, 2) + "× (" + fixed(x.low, 2) + "–" +
                        fixed(x.high, 2) + " over the windows; medians " +
                        thousands(ma->median("requests_per_second")) + " against " +
                        thousands(mb->median("requests_per_second")) + " req/s)");
    if (g.status != verdict::met && sa == sb)
        if (std::string w = why(r, a, b, sa); !w.empty()) g.figures.push_back(w);
    return g;
}

goal syscalls_at_most(const results& r, std::string_view stage, double line) {
    goal g{"", ""};
    const row* w = r.find(stage);
    if (!w || !w->costs || !w->costs->syscalls_per_request) {
        g.figures.push_back(w ? "system calls not counted (strace missing?)" : absent(r, stage, ""));
        return g;
    }
    double n = *w->costs->syscalls_per_request;  // counted: no spread
    g.status = n <= line ? verdict::met : verdict::missed;
    g.figures.push_back(fixed(n, 1) + " system calls per request");
    return g;
}

goal combined(goal a, const goal& b) {
    a.status = a.status == verdict::not_measured && b.status == verdict::not_measured
                   ? verdict::not_measured
                   : both(a.status, b.status);
    for (const auto& f : b.figures)  // "no 05-event-loop binary" once is enough
        if (std::find(a.figures.begin(), a.figures.end(), f) == a.figures.end()) a.figures.push_back(f);
    return a;
}

// The idle sweep's largest point for `stage`, or why the goal cannot be
// met there: a server that did not hold them all, or left a fresh client
// unanswered, has missed every goal about holding them.
const measurement* most_held(const results& r, std::string_view stage, goal& g) {
    const measurement* m = r.holding(stage, held_counts.size() - 1);
    if (!m) {
        const row* w = r.find(stage);
        g.figures.push_back(absent(r, stage, w ? w->by_held.back().problem : ""));
        return nullptr;
    }
    std::vector<std::string> failures;
    if ((*m)["held"].min < held_counts.back())
        failures.push_back("held only " + thousands((*m)["held"].min) + " in some window");
    if ((*m)["fresh_completed"].min == 0)
        failures.push_back("a fresh client got no answer (or a 503) in some window");
    if (failures.empty()) return m;
    g.status = verdict::missed;
    g.figures.push_back(joined(failures));
    return nullptr;
}

// A figure of the idle sweep's largest point, against a line.
goal idle_figure(const results& r, std::string id, std::string text, std::string_view stage,
                 std::string_view counter, bool upper, double line, std::string unit,
                 std::string (*format)(double)) {
    goal g{std::move(id), std::move(text)};
    const measurement* m = most_held(r, stage, g);
    if (!m) return g;
    bounds b = of((*m)[counter]);
    g.status = upper ? at_most(b, line) : at_least(b, line);
    g.figures.push_back(format(b.median) + " " + unit + " (" + format(b.low) + "–" +
                        format(b.high) + " over the windows)");
    return g;
}

goal keeps_unloaded(const results& r, std::string id, std::string text, std::string_view stage) {
    goal g{std::move(id), std::move(text)};
    const measurement *none = r.holding(stage, 0), *many = most_held(r, stage, g);
    if (!many) return g;
    if (!none) {
        g.figures.push_back(absent(r, stage, r.find(stage)->by_held.front().problem));
        return g;
    }
    bounds x = over(of((*many)["requests_per_second"]), of((*none)["requests_per_second"]));
    g.status = at_least(x, 0.8);
    g.figures.push_back(fixed(x.median, 2) + "× (" + fixed(x.low, 2) + "–" + fixed(x.high, 2) + ")");
    return g;
}

std::vector<goal> goals(const results& r) {
    const std::string held = thousands(held_counts.back());
    std::vector<goal> all;
    all.push_back(throughput_ratio(r, "G1", "02-c-abi-from-cpp ≥ 0.9× 01-raw-asm, 32 clients",
                                   "02-c-abi-from-cpp", many_clients, baseline, many_clients, 0.9));
    all.push_back(throughput_ratio(r, "G2", "03-raii-cpp ≥ 0.9× 01-raw-asm, 32 clients",
                                   "03-raii-cpp", many_clients, baseline, many_clients, 0.9));
    all.push_back(throughput_ratio(r, "G3", "04-threaded ahead of nginx, 32 clients", "04-threaded",
                                   many_clients, "nginx", many_clients, 1.0));
    goal keeps = throughput_ratio(r, "G4",
                                  "04-threaded keeps ≥ 0.8× of its 32-client figure with 16 stalled",
                                  "04-threaded", with_stalled, "04-threaded", many_clients, 0.8);
    // Requests still in flight when a window closes are normal; only a
    // window with no answer at all says the stalled connections held it up.
    if (const measurement* m = r.scenario("04-threaded", with_stalled);
        m && keeps.status != verdict::met && (*m)["completed"].min == 0)
        keeps.figures.push_back("Why: in some window it answered nothing; the stalled "
                                "connections held what would serve the others");
    all.push_back(keeps);
    all.push_back(combined(
        throughput_ratio(r, "G5", "04-threaded ≥ 1.1× nginx, 32 clients, and ≤ 6 system calls per request",
                         "04-threaded", many_clients, "nginx", many_clients, 1.1),
        syscalls_at_most(r, "04-threaded", 6)));
    all.push_back(combined(
        throughput_ratio(r, "G6", "05-event-loop ≥ 1.25× nginx, 32 clients, and ≥ 0.9× 01-raw-asm",
                         "05-event-loop", many_clients, "nginx", many_clients, 1.25),
        throughput_ratio(r, "", "", "05-event-loop", many_clients, baseline, many_clients, 0.9)));
    all.push_back(idle_figure(r, "G7", "with " + held + " silent connections held, 05-event-loop answers a fresh client in < 10 ms",
                              "05-event-loop", "fresh_p50_us", true, 10'000, "ms", ms));
    all.push_back(idle_figure(r, "G8", "05-event-loop uses ≤ 256 bytes of resident memory per held connection (" + held + " held)",
                              "05-event-loop", "rss_per_held", true, 256, "bytes", thousands));
    all.push_back(keeps_unloaded(r, "G9", "05-event-loop keeps ≥ 0.8× of its unloaded throughput with " + held + " held",
                                 "05-event-loop"));
    return all;
}

}  // namespace

void write_goals(std::ostream& out, const results& r) {
    out << "## Goals\n\n| id | goal | status | figures |\n|---|---|---|---|\n";
    for (const goal& g : goals(r))
        out << "| " << g.id << " | " << g.text << " | " << to_string(g.status) << " | "
            << joined(g.figures) << " |\n";
    out << "\nEach goal is judged on medians and on the spread of its windows: *met* when even "
           "the least favourable windows clear the line, *missed* when even the most favourable "
           "ones fall short, *within noise* when the spread straddles it. A ratio's spread runs "
           "from the lowest of one side over the highest of the other, and back. The goals are "
           "read here, never asserted: a missed goal is a finding, not a failure.\n";
}

}  // namespace bench
