// The shared harness: one specification, run against the server named by
// --stage (its row in stages.cpp) and --server (the program that runs it).
// CTest runs it once per stage and capability (tests/CMakeLists.txt);
// ./workshop grade runs it once per capability against any server.
#include "stages.hpp"

#include <catch2/catch_session.hpp>
#include <csignal>
#include <iostream>

namespace {

// The rows of a graded server: the capabilities and the quick real
// clients of tests/CMakeLists.txt, separated by spaces.
std::vector<std::string> grade_rows() { return workshop::words_of(WORKSHOP_GRADE_ROWS); }

// --row: what the chosen row earns, held to every capability.
int print_row() {
    for (const auto& row : grade_rows())
        std::cout << row << '\t' << (workshop::earns(workshop::current_stage(), row) ? "yes" : "no") << '\n';
    return 0;
}

// --starts: whether the server starts and listens, before anything is graded.
int check_start() {
    int port = workshop::free_port();
    try {
        workshop::server_process server(workshop::current_server(), workshop::server_args(port), port);
        std::cout << "listens on port " << port << '\n';
        return 0;
    } catch (const std::exception& e) {
        std::cerr << e.what() << '\n';
        return 2;
    }
}

}  // namespace

int main(int argc, char* argv[]) {
    // A server that closes early must fail a test, not kill the harness.
    std::signal(SIGPIPE, SIG_IGN);
    // Hundreds of connections at once: macOS's default limit is 256 descriptors.
    workshop::raise_descriptor_limit(1024);

    Catch::Session session;
    std::string stage, server;
    std::vector<std::string> server_words;
    bool list_rows = false, earned = false, starts = false;
    using Catch::Clara::Opt;
    session.cli(session.cli()
                | Opt(stage, "name")["--stage"]("the stage's row in stages.cpp, e.g. 03-raii-cpp; "
                                                "any other name is held to every capability")
                | Opt(server, "program")["--server"]("the program that runs its server (default: this build's)")
                | Opt(server_words, "word")["--server-arg"]("a word after the program (repeatable); "
                                                            "{port} in it becomes the port, else --port N follows")
                | Opt(list_rows)["--grade-rows"]("list the rows ./workshop grade prints, and exit")
                | Opt(earned)["--row"]("print what --stage earns, held to every capability, and exit")
                | Opt(starts)["--starts"]("start the server once: exit 0 if it listens, 2 if not"));
    if (int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
    if (list_rows) {
        for (const auto& name : grade_rows()) std::cout << name << '\n';
        return 0;
    }
    const auto& config = session.configData();
    bool listing = config.listTests || config.listTags || config.listReporters || config.listListeners;
    if (!listing) try {
        if (server.empty())  // this build's server of that name
            for (const auto& row : workshop::build_servers())
                if (row.name == stage) server = row.program;
        if (server.empty()) throw std::invalid_argument("no server named '" + stage + "' in this build: pass --server");
        workshop::choose_stage(stage, server, server_words);
        if (earned) return print_row();
        if (starts) return check_start();
    } catch (const std::exception& e) {
        std::cerr << "harness: " << e.what() << '\n';
        return 2;
    }
    // A stage that says at start that it cannot run here (07 without
    // io_uring): the whole row is skipped (exit 4, CTest's SKIP_RETURN_CODE)
    // with the reason, or fails where every stage must run and no sandbox
    // forbids it.
    if (auto reason = listing ? std::nullopt : workshop::unavailable_here()) {
        bool skip = workshop::may_be_unavailable(*reason);
        std::cout << (skip ? "SKIPPED: " : "FAILED: ") << *reason << '\n';
        if (!skip) std::cout << "on x86-64 Linux, where CI runs, " << stage << " must run\n";
        return skip ? 4 : 1;
    }
    return session.run();
}
