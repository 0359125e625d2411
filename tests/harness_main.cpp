// The shared harness: one specification, run against the server named by
// --stage (its row in stages.cpp) and --server (the program that runs it).
// CTest runs it once per stage and capability (tests/CMakeLists.txt).
#include "stages.hpp"

#include <catch2/catch_session.hpp>
#include <csignal>
#include <iostream>

int main(int argc, char* argv[]) {
    // A server that closes early must fail a test, not kill the harness.
    std::signal(SIGPIPE, SIG_IGN);
    // Hundreds of connections at once: macOS's default limit is 256 descriptors.
    workshop::raise_descriptor_limit(1024);

    Catch::Session session;
    std::string stage, server;
    using Catch::Clara::Opt;
    session.cli(session.cli()
                | Opt(stage, "name")["--stage"]("the stage's row in stages.cpp, e.g. 03-raii-cpp")
                | Opt(server, "program")["--server"]("the program that runs its server (default: this build's)"));
    if (int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
    const auto& config = session.configData();
    bool listing = config.listTests || config.listTags || config.listReporters || config.listListeners;
    if (!listing) try {
        if (server.empty())  // this build's server of that name
            for (const auto& row : workshop::build_servers())
                if (row.name == stage) server = row.program;
        if (server.empty()) throw std::invalid_argument("no server named '" + stage + "' in this build: pass --server");
        workshop::choose_stage(stage, server);
    } catch (const std::exception& e) {
        std::cerr << "harness: " << e.what() << '\n';
        return 2;
    }
    // A stage that says at start that it cannot run here (07 without
    // io_uring): the whole row is skipped (exit 4, CTest's SKIP_RETURN_CODE)
    // with the reason, or fails where every stage must run.
    if (auto reason = listing ? std::nullopt : workshop::unavailable_here()) {
        bool skip = workshop::may_be_unavailable();
        std::cout << (skip ? "SKIPPED: " : "FAILED: ") << *reason << '\n';
        if (!skip) std::cout << "on x86-64 Linux, where CI runs, " << stage << " must run\n";
        return skip ? 4 : 1;
    }
    return session.run();
}
