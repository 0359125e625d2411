// The table of stages: one row per server binary, with the capabilities its
// row in README.md's table promises. Every test runs against one row, chosen
// with --stage; a test of a capability the stage lacks asserts the stage's
// documented behaviour instead (the lesson), it is never silently skipped.
#pragma once

#include "support/golden.hpp"
#include "support/client.hpp"
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
    // The part of that which says a sandbox forbids it (07: a container's
    // seccomp filter), which is skipped on every machine, CI's too.
    std::string_view sandboxed_when;
    bool reads_request = false;      // reads the head, so closes with FIN not RST
    bool parses_request = false;     // answers by status code (404, 405, 400, 431)
    bool has_read_timeout = false;   // --read-timeout: drops clients that send nothing
    bool graceful_shutdown = false;  // SIGTERM: finishes the client in hand, exits 0
    bool concurrent = false;         // serves many clients at once
    bool cheap_idle = false;         // a silent connection costs bookkeeping, not a thread ([many-idle])
    bool keeps_alive = false;        // serves request after request on a connection ([keep-alive])
};

// The arguments that make a stage with --read-timeout give up after `seconds`.
std::vector<std::string> read_timeout_args(const stage& s, double seconds);

const std::vector<stage>& all_stages();

// What a row earns when its server is held to every capability, as
// ./workshop grade holds any server: for each capability (and real client)
// of tests/CMakeLists.txt, the row's booleans it takes. Throws
// std::invalid_argument for a name it does not know.
bool earns(const stage& s, std::string_view capability);

// The row chosen on the command line, and the program that runs its server.
const stage& current_stage();
// Whether that row is one of all_stages(): a server graded from outside the
// build is held to every capability, but a real client's test does not
// count what only [keep-alive] asks (one connection for two requests) against it.
bool current_stage_listed();
const std::filesystem::path& current_server();
// A name with no row in all_stages() is held to every capability. The
// server is `server` run with `server_words` first (e.g. python3 and a
// script); a word holding {port} has the port put there.
void choose_stage(std::string_view name, std::filesystem::path server,
                  std::vector<std::string> server_words = {});

// The arguments that run the current server on `port` with a test's own
// `args` after them: the server's words with {port} filled in, or followed
// by --port PORT when none holds {port}.
std::vector<std::string> server_args(int port, const std::vector<std::string>& args = {});
// The same for a run that listens nowhere (--help, a bad argument): `args`
// after the server's words, whose {port} gets a free port.
std::vector<std::string> command_args(const std::vector<std::string>& args);

// The current server's program is a row of this build that was not built
// here (a SKIP, saying what to install); a server of the reader's own that
// does not start fails instead.
bool server_not_built();

// Why the current stage cannot run on this machine, when it says so at
// start (its unavailable_when); nullopt when it runs, or was not built.
std::optional<std::string> unavailable_here();

// Whether that `reason` may be reported as a skip. Not on x86-64 Linux,
// where CI runs: there every stage must run, and an unavailable one fails
// the row, unless the reason is a sandbox's (the stage's sandboxed_when).
bool may_be_unavailable(std::string_view reason);

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
// install, when this machine could not build that stage. `args` are the
// test's flags (--read-timeout 1): a server that exits at once when given
// them, but listens without, fails the test as "needs --read-timeout".
std::unique_ptr<stage_server> start_server(std::vector<std::string> args = {});

// `count` connections that connect and then send nothing, all taken in
// within `within` (a generous bound: a server that serves many at once
// takes them in at once), or the test fails. One that does not fills its
// listen queue, and the next connection waits: without a bound the test
// would crawl instead of failing.
std::vector<socket_fd> silent_clients(int port, int count, std::chrono::seconds within);

}  // namespace workshop
