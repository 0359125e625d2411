// The charts: the data each needs as a TSV file, then gnuplot with the
// script beside this file (chart.gp, clients.gp, idle.gp).
#include "report.hpp"

#include "support/process.hpp"
#include "tools.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <thread>

namespace bench {
namespace {

// The server's name under its group of bars; gnuplot reads "\n" in quotes.
std::string label(const row& w) {
    bool measured = std::any_of(w.by_scenario.begin(), w.by_scenario.end(),
                                [](const measurement& m) { return m.measured(); });
    if (!measured) return "\"" + w.server.name + "\\n(not measured)\"";
    // "01-raw-asm\n(arm64, emulated)": its whole name on one line is wider
    // than its group of bars and runs into the next row's.
    if (w.server.what == target::kind::emulated) {
        const std::string& name = w.server.name;
        auto last = name.rfind('-');
        return "\"" + name.substr(0, last) + "\\n(" + name.substr(last + 1) + ", emulated)\"";
    }
    return w.server.name;
}

// A median, or "?" (gnuplot's missing value) when it was not measured.
std::string cell(const measurement& m, std::string_view counter, double scale = 1) {
    return m.measured() ? std::to_string(m.median(counter) / scale) : "?";
}

// throughput.tsv: one line per server, one column per scenario.
void write_throughput(const std::filesystem::path& file, const results& r) {
    std::ofstream out(file);
    out << "server";
    for (const auto& s : scenarios) out << "\t" << s.title;
    for (const row& w : r.rows) {
        out << "\n" << label(w);
        for (const measurement& m : w.by_scenario) out << "\t" << cell(m, "requests_per_second");
    }
    out << "\n";
}

// A sweep as gnuplot plots lines: one line per point (the first column),
// one column per server.
void write_sweep(const std::filesystem::path& file, const results& r,
                 const std::function<bool(const row&)>& included, std::size_t points,
                 const std::function<std::string(std::size_t)>& point,
                 const std::function<std::string(const row&, std::size_t)>& value) {
    std::ofstream out(file);
    out << "x";
    for (const row& w : r.rows)
        if (included(w)) out << "\t" << w.server.name;
    for (std::size_t i = 0; i < points; ++i) {
        out << "\n" << point(i);
        for (const row& w : r.rows)
            if (included(w)) out << "\t" << value(w, i);
    }
    out << "\n";
}

std::string subtitle(const results& r, const windows& w) {
    char text[160];
    std::snprintf(text, sizeof text, "%u cores, loopback, %s: %s %d window%s of %.2f s",
                  std::thread::hardware_concurrency(), r.config.quick ? "quick run" : "full run",
                  w.count > 1 ? "median of" : "", w.count, w.count > 1 ? "s" : "",
                  w.length.count() / 1000.0);
    return text;
}

// gnuplot -e "data=...; output=...; subtitle=...; <extra>" script
std::optional<std::filesystem::path> plot(const results& r, const std::string& script,
                                          const std::string& name, const std::string& variables) {
    auto gnuplot = find_tool("gnuplot");
    if (!gnuplot) return std::nullopt;
    auto png = r.config.out_dir / (name + ".png");
    std::filesystem::remove(png);
    std::string all = "output='" + png.string() + "'; " + variables;
    auto result = workshop::run_command(*gnuplot, {"-e", all, std::string(BENCH_CHART_DIR) + "/" + script});
    if (result.exit_code != 0 || !std::filesystem::exists(png)) return std::nullopt;
    return png;
}

}  // namespace

charts draw_charts(const results& r) {
    const auto& dir = r.config.out_dir;
    charts drawn;

    write_throughput(dir / "throughput.tsv", r);
    drawn.throughput = plot(r, "chart.gp", "throughput",
                            "data='" + (dir / "throughput.tsv").string() + "'; subtitle='" +
                                subtitle(r, r.config.scenario) + "'");

    write_sweep(dir / "clients.tsv", r, [](const row& w) { return w.in_client_sweep(); },
                client_counts.size(), [](std::size_t i) { return std::to_string(client_counts[i]); },
                [](const row& w, std::size_t i) { return cell(w.by_clients[i], "requests_per_second"); });
    drawn.clients = plot(r, "clients.gp", "clients",
                         "data='" + (dir / "clients.tsv").string() + "'; subtitle='" +
                             subtitle(r, r.config.clients) + "'");

    auto concurrent = [](const row& w) { return w.concurrent(); };
    auto held = [](std::size_t i) { return std::to_string(held_counts[i]); };
    write_sweep(dir / "idle_rps.tsv", r, concurrent, held_counts.size(), held,
                [](const row& w, std::size_t i) { return cell(w.by_held[i], "requests_per_second"); });
    write_sweep(dir / "idle_memory.tsv", r, concurrent, held_counts.size(), held,
                [](const row& w, std::size_t i) { return cell(w.by_held[i], "rss_bytes", 1 << 20); });
    drawn.idle = plot(r, "idle.gp", "idle",
                      "rps='" + (dir / "idle_rps.tsv").string() + "'; memory='" +
                          (dir / "idle_memory.tsv").string() + "'; subtitle='" +
                          subtitle(r, r.config.idle) + "'");
    return drawn;
}

}  // namespace bench
