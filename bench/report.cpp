#include "report.hpp"

#include "support/process.hpp"
#include "tools.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sys/utsname.h>
#include <thread>

namespace bench {
namespace {

constexpr std::string_view baseline = "01-raw-asm";
constexpr std::string_view threaded = "04-threaded";

std::string fixed(double value, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

// 34605.2 → "34,605"
std::string thousands(double value) {
    std::string digits = std::to_string(std::llround(value));
    for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) digits.insert(at, ",");
    return digits;
}

// Microseconds as milliseconds with about three significant digits.
std::string ms(double us) {
    double v = us / 1000;
    return fixed(v, v < 1 ? 3 : v < 10 ? 2 : v < 100 ? 1 : 0);
}

// The measurement of `name` in scenario s, if that row exists and was measured.
const measurement* measured(const results& r, std::string_view name, std::size_t s) {
    const row* w = r.find(name);
    return w && w->by_scenario[s].measured ? &w->by_scenario[s] : nullptr;
}

std::string ratio(const measurement& m, const measurement* base) {
    if (!m.measured || !base || base->requests_per_second == 0) return "-";
    return fixed(m.requests_per_second / base->requests_per_second, 2);
}

// One line of a scenario's table.
struct cells {
    std::string name, rps, p50, p99, vs_baseline, vs_nginx, notes;
};

std::string joined(const std::vector<std::string>& parts) {
    std::string text;
    for (const auto& p : parts) text += (text.empty() ? "" : "; ") + p;
    return text;
}

cells cells_for(const results& r, const row& w, std::size_t s) {
    const measurement& m = w.by_scenario[s];
    cells c{w.server.name, "-", "-", "-", ratio(m, measured(r, baseline, s)),
            ratio(m, measured(r, "nginx", s)), ""};
    std::vector<std::string> notes;
    if (w.server.what == target::kind::emulated) notes.push_back("emulated (qemu-aarch64)");
    if (w.server.what == target::kind::reference) notes.push_back("reference");
    if (!m.measured) {
        notes.push_back("not measured: " + m.problem);
    } else if (m.stalled()) {
        c.rps = "0";
        c.p50 = c.p99 = "stalled";
        notes.push_back("no answer within the window (" + std::to_string(m.unfinished) +
                        " requests left waiting)");
    } else {
        c.rps = thousands(m.requests_per_second);
        c.p50 = ms(m.p50_us);
        c.p99 = ms(m.p99_us);
        if (m.failed > 0) notes.push_back(std::to_string(m.failed) + " failed requests");
    }
    if (m.measured && m.stalled_held != scenarios[s].stalled)
        notes.push_back("only " + std::to_string(m.stalled_held) + " stalled connections held");
    c.notes = joined(notes);
    return c;
}

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

// --- the goals ---------------------------------------------------------------

struct goal {
    std::string text, status, figures;
};

// Per-request costs of a stage as a phrase, for explaining a missed goal.
std::string costs_phrase(const results& r, std::string_view name) {
    const row* w = r.find(name);
    if (!w || !w->costs || !w->costs->syscalls_per_request || !w->costs->instructions_per_request)
        return "";
    return fixed(*w->costs->syscalls_per_request, 1) + " system calls and " +
           thousands(*w->costs->instructions_per_request) + " instructions per request";
}

std::string not_measurable(const results& r, std::string_view name, std::size_t s) {
    const row* w = r.find(name);
    if (!w) return std::string(name) + " was not in this run (not built yet, or filtered out)";
    return std::string(name) + " was not measured: " + w->by_scenario[s].problem;
}

// "a is at least `at_least` times b"
goal compare(const results& r, std::string text, std::string_view a, std::size_t sa,
             std::string_view b, std::size_t sb, double at_least) {
    const measurement *ma = measured(r, a, sa), *mb = measured(r, b, sb);
    if (!ma || !mb) return {text, "not measurable yet", not_measurable(r, ma ? b : a, ma ? sb : sa)};
    double x = mb->requests_per_second > 0 ? ma->requests_per_second / mb->requests_per_second : 0;
    std::string figures = fixed(x, 2) + "× (" + thousands(ma->requests_per_second) + " against " +
                          thousands(mb->requests_per_second) + " req/s)";
    return {text, x >= at_least ? "met" : "missed", figures};
}

std::vector<goal> goals(const results& r) {
    std::vector<goal> all;
    for (std::string_view stage : {"02-c-abi-from-cpp", "03-raii-cpp"}) {
        goal g = compare(r, std::string(stage) + " ≥ 0.9× 01-raw-asm, 32 clients", stage,
                         many_clients, baseline, many_clients, 0.9);
        if (g.status == "missed" && !costs_phrase(r, stage).empty())
            g.figures += ". Why: it makes " + costs_phrase(r, stage) + ", 01-raw-asm " +
                         costs_phrase(r, baseline) + " (see Cost per request)";
        all.push_back(g);
    }
    goal ahead = compare(r, "04-threaded ahead of nginx, 32 clients", threaded, many_clients,
                         "nginx", many_clients, 1.0);
    if (ahead.status == "missed" && !costs_phrase(r, threaded).empty())
        ahead.figures += ". 04-threaded makes " + costs_phrase(r, threaded);
    all.push_back(ahead);
    goal keeps = compare(r, "04-threaded keeps ≥ 0.8× of its 32-client figure with 16 stalled",
                         threaded, with_stalled, threaded, many_clients, 0.8);
    if (keeps.status == "missed")
        keeps.figures += ". Why: " + std::to_string(measured(r, threaded, with_stalled)->unfinished) +
                         " requests were still waiting when the window closed; the stalled "
                         "connections hold what would serve them";
    all.push_back(keeps);
    return all;
}

// --- report.md ---------------------------------------------------------------

void write_scenario(std::ostream& out, const results& r, std::size_t s) {
    out << "| server | req/s | p50 ms | p99 ms | vs 01 | vs nginx | notes |\n"
        << "|---|--:|--:|--:|--:|--:|---|\n";
    for (const row& w : r.rows) {
        cells c = cells_for(r, w, s);
        out << "| " << c.name << " | " << c.rps << " | " << c.p50 << " | " << c.p99 << " | "
            << c.vs_baseline << " | " << c.vs_nginx << " | " << c.notes << " |\n";
    }
}

void write_client_check(std::ostream& out, const results& r) {
    const client_check& c = r.client;
    out << "## Is the client what is measured?\n\n"
        << "wrk and the benchmark's own client, taking turns against one 01-raw-asm server "
        << "(32 connections, `-H \"Connection: close\"`, wrk with one thread per core), best of "
        << r.config.client_check_rounds << " runs of " << r.config.wrk_window.count() << " s each:\n\n";
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

void write_costs(std::ostream& out, const results& r) {
    out << "## Cost per request\n\n"
        << "| stage | system calls | user-space instructions | stripped binary, bytes | "
           "lines of source | notes |\n|---|--:|--:|--:|--:|---|\n";
    for (const row& w : r.rows) {
        if (!w.costs) continue;
        const stage_costs& c = *w.costs;
        out << "| " << w.server.name << " | "
            << or_dash(c.syscalls_per_request, [](double v) { return fixed(v, 1); }) << " | "
            << or_dash(c.instructions_per_request, [](double v) { return thousands(v); }) << " | "
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
        << " is the figure, so start-up and shutdown cancel out. The counts repeat from run "
           "to run (a threaded stage's within a few percent). Binary size: `strip` of a copy. Lines of source: non-blank lines, "
           "comments included, of the `.c .cc .cpp .h .hpp .S .s` files in the stage's "
           "directory (CMakeLists.txt not counted; 01-raw-asm holds both the ARM64 and the "
           "x86-64 assembly). The emulated row and nginx are not counted.\n\n";
}

void write_goals(std::ostream& out, const results& r) {
    out << "## Goals\n\n| goal | status | figures |\n|---|---|---|\n";
    for (const goal& g : goals(r)) out << "| " << g.text << " | " << g.status << " | " << g.figures << " |\n";
    out << "\nThe goals are read here, never asserted: a missed goal is a finding, not a failure.\n";
}

}  // namespace

void print_tables(std::ostream& out, const results& r) {
    for (std::size_t s = 0; s < scenarios.size(); ++s) {
        char line[512];
        out << "\n" << scenarios[s].title << "\n";
        std::snprintf(line, sizeof line, "  %-24s %10s %9s %9s %6s %9s  %s\n", "server", "req/s",
                      "p50 ms", "p99 ms", "vs 01", "vs nginx", "notes");
        out << line;
        for (const row& w : r.rows) {
            cells c = cells_for(r, w, s);
            std::snprintf(line, sizeof line, "  %-24s %10s %9s %9s %6s %9s  %s\n", c.name.c_str(),
                          c.rps.c_str(), c.p50.c_str(), c.p99.c_str(), c.vs_baseline.c_str(),
                          c.vs_nginx.c_str(), c.notes.c_str());
            out << line;
        }
    }
}

void write_report(const std::filesystem::path& file, const results& r,
                  const std::optional<std::filesystem::path>& chart) {
    std::ofstream out(file);
    const settings& config = r.config;
    out << "# Benchmark\n\n"
        << (config.quick ? "A quick run (`./workshop bench --quick`)" : "A full run (`./workshop bench`)")
        << " of " << now() << ".\n\n"
        << "Machine: " << machine() << "; nginx " << nginx_version() << ".\n\n"
        << "Every server answers `GET /` on loopback. Each request opens a new connection and "
           "says `Connection: close`; a client sends it, reads the whole response, closes, and "
           "starts again. Each row and scenario gets a fresh server and a "
        << fixed(config.window.count() / 1000.0, 1)
        << " s window; latency runs from connect to the last byte. A server that answers "
           "nothing in the window shows 0 and *stalled*. Before measuring, each server must "
           "answer once with the golden bytes (`tests/golden/response.http`), or its row says "
           "why it was not measured. Raw figures: `results.json` (Google Benchmark).\n\n"
        << "Timed figures move between runs (on a shared two-core machine, a row by up to "
           "about 15% between full runs); the counted costs below hardly move. The ARM64 "
           "original runs under qemu-aarch64, which translates its instructions but hands its "
           "system calls to the host kernel as they are; stage 01 spends nearly all its time "
           "in system calls, so emulation costs it little.\n\n";
    if (chart) out << "![Requests per second per server and scenario](" << chart->filename().string() << ")\n\n";

    for (std::size_t s = 0; s < scenarios.size(); ++s) {
        out << "## " << scenarios[s].title << "\n\n";
        if (s == with_stalled)
            out << "16 connections that connect and never send are opened first and held open "
                   "for the whole window. 02-c-abi-from-cpp waits on the first of them until it "
                   "leaves; 03-raii-cpp runs with its default `--read-timeout` of 5 s, so it drops "
                   "one silent client every 5 s and the 16 hold it for about 80 s, far past the "
                   "window. A server that serves clients concurrently keeps answering.\n\n";
        write_scenario(out, r, s);
        out << "\n";
    }
    write_client_check(out, r);
    write_nginx_headers(out, r);
    write_costs(out, r);
    write_goals(out, r);
}

}  // namespace bench
