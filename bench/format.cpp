#include "format.hpp"

#include <cmath>
#include <cstdio>

namespace bench {

std::string fixed(double value, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

std::string thousands(double value) {
    std::string digits = std::to_string(std::llround(value));
    int first = digits[0] == '-' ? 1 : 0;
    for (int at = static_cast<int>(digits.size()) - 3; at > first; at -= 3) digits.insert(at, ",");
    return digits;
}

std::string ms(double us) {
    double v = us / 1000;
    return fixed(v, v < 1 ? 3 : v < 10 ? 2 : v < 100 ? 1 : 0);
}

std::string joined(const std::vector<std::string>& parts) {
    std::string text;
    for (const auto& p : parts) text += (text.empty() ? "" : "; ") + p;
    return text;
}

std::string with_range(const spread& s, int windows, std::string (*format)(double)) {
    if (windows < 2) return format(s.median);
    return format(s.median) + " (" + format(s.min) + "–" + format(s.max) + ")";
}

}  // namespace bench
