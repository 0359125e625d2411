#include "report.hpp"

#include "support/process.hpp"
#include "tools.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <thread>

namespace bench {
namespace {

// The server's name under its group of bars; gnuplot reads "\n" in quotes.
std::string label(const row& w) {
    bool measured = std::any_of(w.by_scenario.begin(), w.by_scenario.end(),
                                [](const measurement& m) { return m.measured; });
    if (!measured) return "\"" + w.server.name + "\\n(not measured)\"";
    if (w.server.what == target::kind::emulated) return "\"" + w.server.name + "\\n(emulated)\"";
    return w.server.name;
}

// throughput.tsv, as chart.gp expects it.
double write_data(const std::filesystem::path& file, const results& r) {
    std::ofstream out(file);
    double highest = 0;
    out << "server";
    for (const auto& s : scenarios) out << "\t" << s.title;
    for (const row& w : r.rows) {
        out << "\n" << label(w);
        for (const measurement& m : w.by_scenario) {
            if (m.measured) out << "\t" << m.requests_per_second;
            else out << "\t?";
            highest = std::max(highest, m.requests_per_second);
        }
    }
    out << "\n";
    return highest;
}

}  // namespace

std::optional<std::filesystem::path> draw_chart(const results& r) {
    auto gnuplot = find_tool("gnuplot");
    if (!gnuplot) return std::nullopt;
    auto data = r.config.out_dir / "throughput.tsv";
    auto png = r.config.out_dir / "throughput.png";
    double highest = write_data(data, r);
    char subtitle[128];
    std::snprintf(subtitle, sizeof subtitle, "%u cores, loopback, %s, %.1f s per bar",
                  std::thread::hardware_concurrency(), r.config.quick ? "quick run" : "full run",
                  r.config.window.count() / 1000.0);
    std::string variables = "data='" + data.string() + "'; output='" + png.string() +
                            "'; subtitle='" + std::string(subtitle) + "'; ymax=" +
                            std::to_string(std::max(highest, 1.0) * 1.12);
    std::filesystem::remove(png);
    auto result = workshop::run_command(*gnuplot, {"-e", variables, BENCH_CHART_SCRIPT});
    if (result.exit_code != 0 || !std::filesystem::exists(png)) return std::nullopt;
    return png;
}

}  // namespace bench
