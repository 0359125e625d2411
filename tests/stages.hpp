// The table of stages: one row per server binary, with the capabilities its
// row in README.md's table promises. Every test runs against one row, chosen
// with --stage; a test of a capability the stage lacks asserts the stage's
// documented behaviour instead (the lesson), it is never silently skipped.
#pragma once

#include "support/golden.hpp"
#include "support/process.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace workshop {

struct stage {
    std::string_view name;           // the value of --stage
    std::string_view missing_hint;   // why the binary may be absent
    // What the server says at start where this machine cannot run it even
    // though it was built (07: no io_uring under qemu-user, or a sandbox).
    std::string_view unavailable_when;
    bool reads_request = false;      // reads the head, so closes with FIN not RST
    bool parses_request = false;     // answers by status code (404, 405, 400, 431)
    bool has_read_timeout = false;   // --read-timeout: drops clients that send nothing
    bool graceful_shutdown = false;  // SIGTERM: finishes the client in hand, exits 0
    bool concurrent = false;         // serves many clients at once
    bool cheap_idle = false;         // a silent connection costs bookkeeping, not a thread ([many-idle])
};

// The arguments that make a stage with --read-timeout give up after `seconds`.
std::vector<std::string> read_timeout_args(const stage& s, double seconds);

const std::vector<stage>& all_stages();

// The row chosen on the command line, and the program that runs its server.
const stage& current_stage();
const std::filesystem::path& current_server();
// A name with no row in all_stages() is held to every capability.
void choose_stage(std::string_view name, std::filesystem::path server);

// Why the current stage cannot run on this machine, when it says so at
// start (its unavailable_when); nullopt when it runs, or was not built.
std::optional<std::string> unavailable_here();

// Whether that may be reported as a skip. Not on x86-64 Linux, where CI
// runs: there every stage must run, and an unavailable one fails the row.
bool may_be_unavailable();

// A stage's server for one test. When the test ends it is stopped, and a
// sanitizer report in what it wrote to stderr fails the test: under the
// tsan and asan presets that is how a race or a leak in a server shows.
class stage_server : public server_process {
public:
    using server_process::server_process;
    stage_server(const stage_server&) = delete;
    stage_server& operator=(const stage_server&) = delete;
    ~stage_server();
};

// Starts the current stage's server; SKIPs the test, saying what to
// install, when this machine could not build that stage.
std::unique_ptr<stage_server> start_server(std::vector<std::string> args = {});

}  // namespace workshop
