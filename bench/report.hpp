// The results as people read them: one table per scenario on the terminal;
// report.md with those tables, the machine, the client check, the cost per
// request and the goals; and a bar chart of requests per second.
#pragma once

#include "results.hpp"

#include <filesystem>
#include <optional>
#include <ostream>

namespace bench {

void print_tables(std::ostream& out, const results& r);

// `chart` is the PNG to show at the top, if one was drawn.
void write_report(const std::filesystem::path& file, const results& r,
                  const std::optional<std::filesystem::path>& chart);

// throughput.png in r.config.out_dir, drawn by gnuplot from bench/chart.gp;
// nullopt when gnuplot is missing or fails.
std::optional<std::filesystem::path> draw_chart(const results& r);

}  // namespace bench
