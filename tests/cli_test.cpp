// Every server's command line: --help, bad arguments, and a port that is
// already taken all end in a clear message and the right exit code.
#include "stages.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <filesystem>

using namespace workshop;
using Catch::Matchers::ContainsSubstring;

namespace {

std::filesystem::path binary_or_skip() {
    auto path = current_server();
    if (server_not_built())
        SKIP(std::string(current_stage().name) + " was not built here: " +
             std::string(current_stage().missing_hint));
    return path;
}

}  // namespace

TEST_CASE("--help prints the usage and exits 0", "[cli]") {
    run_result r = run_command(binary_or_skip(), command_args({"--help"}));
    INFO("--help: exit status " << r.exit_code << ", printed: " << r.out.substr(0, r.out.find('\n')));
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, ContainsSubstring("--port"));
}

TEST_CASE("a bad argument is named and exits non-zero", "[cli]") {
    auto path = binary_or_skip();
    for (auto args : {std::vector<std::string>{"--no-such-flag"},
                      std::vector<std::string>{"--port"},
                      std::vector<std::string>{"--port", "http"},
                      std::vector<std::string>{"--port", "70000"}}) {
        run_result r = run_command(path, command_args(args));
        INFO("arguments: " << args.front() << (args.size() > 1 ? " " + args[1] : ""));
        CHECK(r.exit_code != 0);
        CHECK_FALSE(r.timed_out);
        CHECK_THAT(r.err, ContainsSubstring(args.back()));  // says what is wrong
    }
}

TEST_CASE("a second server on a taken port says bind and the port, and exits", "[port-taken]") {
    auto first = start_server();
    std::string port = std::to_string(first->port());
    // Generous bound: the emulated ARM64 build starts slowly on a loaded machine.
    run_result second = run_command(current_server(), server_args(first->port()), 10s);
    INFO("the second server: exit status " << second.exit_code << ", stderr: " << second.err.substr(0, second.err.find('\n')));
    CHECK_FALSE(second.timed_out);
    CHECK(second.exit_code != 0);
    CHECK_THAT(second.err, ContainsSubstring("bind to port " + port));
    CHECK_THAT(second.err, ContainsSubstring("Address already in use"));
    CHECK(first->running());
}
