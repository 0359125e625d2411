// The command line every server from stage 03 on shares. Each option is
// named and range-checked, and a bad value is named in the error, so that
// each stage's main() is about its one idea, not forty lines of strtol.
#pragma once

#include <chrono>
#include <initializer_list>
#include <optional>
#include <string_view>

namespace raii_http {

struct options {
    int port = 8585;
    std::chrono::milliseconds read_timeout{5000};  // --read-timeout SECONDS, whole ms rounded up
    long max_connections = 1024;
    long threads = 8;  // 04: workers started up front
    long loops = 0;    // 05 and on: event loops; 0 means one per core
};

// Reads argv into `opts`, accepting only the options named in `accepted`
// (e.g. {"--port", "--read-timeout"}); the values already in `opts` are the
// defaults. Returns an exit code when main should return at once: 0 after
// printing `usage` for --help, 2 after naming a bad argument on stderr.
std::optional<int> parse_command_line(int argc, char* argv[], const char* program, const char* usage,
                                      std::initializer_list<std::string_view> accepted, options& opts);

}  // namespace raii_http
