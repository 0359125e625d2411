// Starting and stopping the stage servers (and any other command) as child
// processes, so a test can never leave one behind, even when it fails.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <sys/types.h>
#include <vector>

namespace workshop {

using namespace std::chrono_literals;

// A server of this build, as cmake/stages.cmake lists them in servers.txt:
// every stage's, and the ARM64 original's where it is built.
struct server_row {
    std::string name;   // 03-raii-cpp
    std::string label;  // 03
    std::filesystem::path program;
};
std::vector<server_row> build_servers();  // throws std::runtime_error on a malformed line

// `text` with every `from` in it replaced by `to`.
std::string replace_all(std::string text, std::string_view from, std::string_view to);

// A server given as a command, for `port`: {port} in its words replaced, or
// "--port N" appended when none holds it (the harness's --server-arg words,
// ./workshop grade's command, the benchmark's --with).
std::vector<std::string> server_command(const std::vector<std::string>& command, int port);

// `text` split at whitespace.
std::vector<std::string> words_of(const std::string& text);

// Whether `program` starts with "#!": in bin/, the wrapper that runs a server
// of another architecture (the ARM64 original's, the x86-64 twin's) under
// the emulator it names.
bool is_script(const std::filesystem::path& program);

// The command that runs the servers of a cross build (e.g. qemu-aarch64 -L
// /usr/aarch64-linux-gnu for an ARM64 build on x86-64), as words; empty when
// they run natively.
std::vector<std::string> server_launcher();

// The words that start `program`: the launcher's first for a program in bin/
// (but not for a wrapper script there, which names its own emulator).
std::vector<std::string> command_for(const std::filesystem::path& program);

// What the tests measure of a running server, read from /proc on Linux and
// through libproc on macOS (which has no /proc); nullopt where neither
// answers. The descriptors `pid` has open, by number, and how many:
std::optional<std::vector<int>> descriptor_numbers(pid_t pid);
std::optional<std::size_t> open_descriptors(pid_t pid);
// The CPU time it has used (user + system, its threads' and the children it
// has waited for), and its resident memory.
std::optional<double> cpu_seconds(pid_t pid);
std::optional<long> resident_kib(pid_t pid);
// How many threads it runs.
std::optional<std::size_t> thread_count(pid_t pid);

// Raises this process's soft descriptor limit to at least `wanted` (as far as
// the hard limit allows), for the tests and the benchmark holding hundreds or
// thousands of connections; servers started afterwards inherit it. Linux's
// usual default of 1024 is enough for hundreds; macOS's 256 is not. Returns
// the soft limit now in force, which is below `wanted` when it could not be
// raised that far.
rlim_t raise_descriptor_limit(rlim_t wanted);

// `name` on PATH, or in the sbin directories where Debian puts nginx (they
// are not on an ordinary user's PATH); nullopt when it is not installed.
std::optional<std::filesystem::path> find_program(std::string_view name);

// A port nobody listens on right now (the kernel's pick, then released).
int free_port();

struct run_result {
    int exit_code = -1;      // -1 when killed by a signal or timed out
    bool timed_out = false;
    std::string out, err;
};

// Runs a command to completion (killed after `limit`), capturing its output.
run_result run_command(const std::filesystem::path& program,
                       const std::vector<std::string>& args,
                       std::chrono::milliseconds limit = 10s);

// The same in two halves, to run several commands at once from one thread.
// Commands started from many threads of a harness that runs under qemu-user
// (the ARM64 build's) can hang in the emulator, past their own time limits;
// starting them from one thread keeps the emulator out of it.
struct started_command {
    pid_t pid;
    std::filesystem::path out, err;
};
started_command start_command(const std::filesystem::path& program, const std::vector<std::string>& args);
run_result finish_command(const started_command& command, std::chrono::milliseconds limit);

// A server started and waited for until it accepts connections on its
// port; stopped with SIGTERM (then SIGKILL) when destroyed.
class server_process {
public:
    // Started as `program args`, which must make it listen on 127.0.0.1:port.
    server_process(const std::filesystem::path& program, const std::vector<std::string>& args,
                   int port);
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;
    virtual ~server_process();

    int port() const { return port_; }
    pid_t pid() const { return pid_; }

    // Still running? (Reaps the child if it has exited.)
    bool running();

    // Sends `signal` and waits up to `limit` for the exit; the exit status
    // (0–255), or nullopt if it had to be killed or died from a signal.
    std::optional<int> stop(int signal, std::chrono::milliseconds limit = 10s);

    // Waits up to `limit` for an exit already under way (no signal sent);
    // the exit status, or nullopt if still running or died from a signal.
    std::optional<int> wait(std::chrono::milliseconds limit = 10s);

    // What the server wrote to stderr so far.
    std::string error_output() const;

private:
    void start(const std::filesystem::path& program, const std::vector<std::string>& args);
    void wait_until_accepting(std::chrono::milliseconds limit);

    int port_ = 0;
    pid_t pid_ = -1;
    std::optional<int> status_;  // raw waitpid status once reaped
    std::filesystem::path stderr_file_;
};

}  // namespace workshop
