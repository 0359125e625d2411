#include "options.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace raii_http {
namespace {

// A whole number in [low, high]; nullopt if `text` is anything else.
std::optional<long> parse_count(const char* text, long low, long high) {
    char* end = nullptr;
    long value = std::strtol(text, &end, 10);
    if (*end != '\0' || end == text || value < low || value > high) return std::nullopt;
    return value;
}

std::optional<std::chrono::milliseconds> parse_seconds(const char* text) {
    char* end = nullptr;
    double seconds = std::strtod(text, &end);
    if (*end != '\0' || end == text || !(seconds > 0 && seconds <= 3600)) return std::nullopt;
    return std::chrono::ceil<std::chrono::milliseconds>(std::chrono::duration<double>(seconds));
}

std::string not_a(std::string_view noun, long low, long high) {
    return "not " + std::string(noun) + " (" + std::to_string(low) + "-" + std::to_string(high) + ")";
}

}  // namespace

command_line::command_line(const char* program, const char* usage) : program_(program), usage_(usage) {}

void command_line::port(std::string_view flag, int& value) {
    options_.push_back({std::string(flag), [&value](const char* text) -> std::optional<std::string> {
                            auto port = parse_count(text, 1, 65535);
                            if (!port) return not_a("a port number", 1, 65535);
                            value = static_cast<int>(*port);
                            return std::nullopt;
                        }});
}

void command_line::seconds(std::string_view flag, std::chrono::milliseconds& value) {
    options_.push_back({std::string(flag), [&value](const char* text) -> std::optional<std::string> {
                            auto seconds = parse_seconds(text);
                            if (!seconds) return not_a("a number of seconds", 0, 3600);
                            value = *seconds;
                            return std::nullopt;
                        }});
}

void command_line::count(std::string_view flag, long& value, long low, long high, std::string_view noun) {
    options_.push_back({std::string(flag), [&value, low, high, noun = std::string(noun)](const char* text) -> std::optional<std::string> {
                            auto count = parse_count(text, low, high);
                            if (!count) return not_a(noun, low, high);
                            value = *count;
                            return std::nullopt;
                        }});
}

std::optional<int> command_line::parse(int argc, char* argv[]) const {
    auto bad_argument = [&](std::string_view what, const char* arg) {
        std::fprintf(stderr, "%s: %.*s: %s\n%s\n", program_, static_cast<int>(what.size()), what.data(), arg,
                     usage_);
        return 2;
    };
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--help") {
            std::puts(usage_);
            return 0;
        }
        auto declared = std::find_if(options_.begin(), options_.end(),
                                     [arg](const option& o) { return o.flag == arg; });
        if (declared == options_.end()) return bad_argument("unknown argument", argv[i]);
        if (i + 1 == argc) return bad_argument("missing value after", argv[i]);
        const char* value = argv[++i];
        if (auto wrong = declared->read(value)) return bad_argument(*wrong, value);
    }
    return std::nullopt;
}

}  // namespace raii_http
