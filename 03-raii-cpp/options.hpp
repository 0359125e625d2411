// A command line for the servers from stage 03 on. Each stage's main
// declares the flags it has and where their values go; this reads them,
// range-checks each value and names a bad one in the error, so that main
// is about the stage's one idea, not forty lines of strtol.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace raii_http {

class command_line {
public:
    // `program` starts every error message; `usage` is printed for --help
    // and after an error.
    command_line(const char* program, const char* usage);

    // Declares `flag VALUE`. The variable's value now is the default; parse()
    // overwrites it only with a value that passed its check.
    void port(std::string_view flag, int& value);  // a port number, 1-65535
    void seconds(std::string_view flag, std::chrono::milliseconds& value);  // (0, 3600], rounded up to whole ms
    // A whole number in [low, high]; `noun` names it in the error
    // ("a thread count" gives "not a thread count (1-100000)").
    void count(std::string_view flag, long& value, long low, long high, std::string_view noun);

    // Reads argv. Returns an exit code when main should return at once: 0
    // after printing the usage for --help, 2 after naming a bad argument
    // (an undeclared flag, a missing or bad value) on stderr.
    std::optional<int> parse(int argc, char* argv[]) const;

private:
    struct option {
        std::string flag;
        // Stores the value and returns nothing, or returns what is wrong with it.
        std::function<std::optional<std::string>(const char*)> read;
    };

    const char* program_;
    const char* usage_;
    std::vector<option> options_;
};

}  // namespace raii_http
