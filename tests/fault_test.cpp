// Faults from outside: running out of descriptors. (A taken port is
// [port-taken]; SIGTERM under load is [graceful-shutdown].)
#include "stages.hpp"
#include "support/client.hpp"

#include <catch2/catch_test_macros.hpp>
#include <algorithm>
#include <filesystem>
#include <set>
#include <thread>
#include <unistd.h>

using namespace workshop;

namespace {

// The current stage, started by a shell that first lowers its descriptor
// limit (posix_spawn cannot set limits; `ulimit` can, on Linux and macOS).
std::unique_ptr<stage_server> start_with_descriptor_limit(std::size_t limit) {
    auto binary = current_server();
    if (server_not_built()) SKIP(std::string(current_stage().name) + " was not built here");
    int port = free_port();
    // A cross build's server runs through its launcher (an emulator).
    auto words = command_for(binary);
    words.pop_back();  // the binary itself, "$0" below
    std::string launcher;
    for (const auto& word : words) launcher += word + " ";
    std::vector<std::string> args = {"-c", "ulimit -n " + std::to_string(limit) + " && exec " + launcher + "\"$0\" \"$@\"",
                                     binary.string()};
    for (auto& arg : server_args(port)) args.push_back(arg);
    return std::make_unique<stage_server>("/bin/sh", args, port);
}

// The number the process's next descriptor would get: the lowest not in use.
// A descriptor limit of exactly this leaves none.
std::optional<int> next_descriptor(pid_t pid) {
    auto numbers = descriptor_numbers(pid);
    if (!numbers) return std::nullopt;
    std::set<int> used(numbers->begin(), numbers->end());
    int next = 0;
    while (used.count(next)) ++next;
    return next;
}

// CPU time the server uses over two seconds of waiting.
double cpu_used_while_waiting(pid_t pid) {
    std::this_thread::sleep_for(500ms);  // let it settle into its failure mode
    double before = cpu_seconds(pid).value_or(0);
    std::this_thread::sleep_for(2s);
    return cpu_seconds(pid).value_or(0) - before;
}

}  // namespace

TEST_CASE("more clients than descriptors: no spinning, served again once they leave",
          "[faults][descriptor-limit]") {
#if defined(__SANITIZE_ADDRESS__)
    // UndefinedBehaviorSanitizer probes memory through a pipe: when 04's
    // workers exit together under a limit of 32, their probes run out of
    // descriptors and report errors that are not the server's.
    if (current_stage().concurrent)
        SKIP("the sanitizer runtime's probes need descriptors; the plain and tsan builds run this test");
#endif
    auto server = start_with_descriptor_limit(32);
    if (!cpu_seconds(server->pid())) SKIP("cannot read the server's CPU time on this system (Linux: /proc, macOS: libproc)");
    // A stage serving one client at a time holds one descriptor for clients
    // however many wait; the rest wait in its listen backlog of 16, and a
    // connect beyond that would block for minutes of retries. 64 silent
    // clients for the concurrent stage, which takes them all in.
    int clients = current_stage().concurrent ? 64 : 12;
    auto silent = silent_clients(server->port(), clients, 15s);

    double cpu = cpu_used_while_waiting(server->pid());
    UNSCOPED_INFO("CPU time over 2 s with " << clients << " silent clients and 32 descriptors: " << cpu << " s");
    CHECK(cpu < 0.15);  // waiting, not spinning: a waiting server uses next to none
    CHECK(server->running());

    silent.clear();
    CHECK(exchange(server->port(), simple_get, 15s).bytes == golden_response());
}

TEST_CASE("no descriptor left for a client: stage 01 spins, the others wait",
          "[faults][descriptor-limit]") {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    // Built by the sanitizer presets: their runtimes open descriptors of
    // their own (a pipe to probe memory), and with none left they report
    // errors that are not the server's.
    SKIP("the sanitizer runtime itself needs descriptors; the plain build runs this test");
#endif
    if (current_stage().name.ends_with("arm64") || current_stage().name.ends_with("x86_64") ||
        !server_launcher().empty())
        SKIP("under an emulator or translator its own descriptors share the limit, so it cannot be set for the server alone");
    std::optional<int> next;
    {
        auto probe = start_server();
        std::this_thread::sleep_for(200ms);
        next = next_descriptor(probe->pid());
    }
    if (!next) SKIP("cannot list the server's descriptors on this system (Linux: /proc, macOS: libproc)");
    // Descriptors are numbered below the limit: this one leaves none for a client.
    auto server = start_with_descriptor_limit(static_cast<std::size_t>(*next));
    socket_fd client = connect_to(server->port());
    REQUIRE(send_all(client.get(), simple_get));

    double cpu = cpu_used_while_waiting(server->pid());
    UNSCOPED_INFO("CPU time over 2 s with no descriptor to spare: " << cpu << " s");
    CHECK(server->running());
    if (current_stage().reads_request) {
        CHECK(cpu < 0.15);  // accept fails, and the server pauses before trying again
    } else {
        // The lesson of the article's loop: a failed accept is retried at
        // once, so out of descriptors it runs flat out. On a loaded machine
        // it gets only its share of a core, so the line sits far below the
        // whole 2 s, yet above what a waiting server uses (none the clock
        // can see).
        CHECK(cpu > 0.05);
    }
}
