// Rendering numbers for tables: the few formats every report section shares.
#pragma once

#include "results.hpp"

#include <string>
#include <vector>

namespace bench {

std::string fixed(double value, int decimals);   // fixed(1.234, 2) == "1.23"
std::string thousands(double value);             // 34605.2 → "34,605"
std::string ms(double us);                       // microseconds as ms, ~3 significant digits
std::string joined(const std::vector<std::string>& parts);  // "a; b; c"

// A median with its spread over `windows` windows: "34,605 (31,200–35,010)";
// the median alone for one window.
std::string with_range(const spread& s, int windows, std::string (*format)(double));

}  // namespace bench
