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

}  // namespace

std::optional<int> parse_command_line(int argc, char* argv[], const char* program, const char* usage,
                                      std::initializer_list<std::string_view> accepted, options& opts) {
    auto bad_argument = [&](const char* what, const char* arg) {
        std::fprintf(stderr, "%s: %s: %s\n%s\n", program, what, arg, usage);
        return 2;
    };
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--help") {
            std::puts(usage);
            return 0;
        }
        if (std::find(accepted.begin(), accepted.end(), arg) == accepted.end())
            return bad_argument("unknown argument", argv[i]);
        if (i + 1 == argc) return bad_argument("missing value after", argv[i]);
        const char* value = argv[++i];
        if (arg == "--port") {
            auto port = parse_count(value, 1, 65535);
            if (!port) return bad_argument("not a port number (1-65535)", value);
            opts.port = static_cast<int>(*port);
        } else if (arg == "--read-timeout") {
            auto timeout = parse_seconds(value);
            if (!timeout) return bad_argument("not a number of seconds (0-3600)", value);
            opts.read_timeout = *timeout;
        } else if (arg == "--max-connections") {
            auto limit = parse_count(value, 1, 1'000'000);
            if (!limit) return bad_argument("not a connection limit (1-1000000)", value);
            opts.max_connections = *limit;
        } else if (arg == "--threads") {
            auto threads = parse_count(value, 1, 100'000);
            if (!threads) return bad_argument("not a thread count (1-100000)", value);
            opts.threads = *threads;
        } else if (arg == "--loops") {
            auto loops = parse_count(value, 1, 1024);
            if (!loops) return bad_argument("not a number of loops (1-1024)", value);
            opts.loops = *loops;
        }
    }
    return std::nullopt;
}

}  // namespace raii_http
