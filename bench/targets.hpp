// The rows of the benchmark: every server the build put in bin/, then nginx
// as the reference. How each starts, and the one check that comes before
// any measuring: does it answer GET / with the golden response?
#pragma once

#include "support/process.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace bench {

struct target {
    enum class kind {
        stage,      // a native server from bin/
        emulated,   // a script in bin/ that runs a server under an emulator (01-raw-asm-arm64)
        reference,  // nginx, from the distribution's package
    };

    std::string name;               // bin/<name>, or "nginx"
    std::filesystem::path program;  // empty when nginx is not installed
    kind what = kind::stage;
};

// Every executable in bin/, sorted by name, then nginx.
std::vector<target> all_targets();

// Starts the server on a free port and waits until it accepts; nginx gets
// its configuration (from bench/nginx.conf.in) written into `work_dir`.
// Throws std::runtime_error when it cannot start.
std::unique_ptr<workshop::server_process> start(const target& t,
                                                const std::filesystem::path& work_dir);

struct answer_check {
    std::string problem;            // empty when the answer is right
    std::size_t response_size = 0;  // bytes in one full answer
    // nginx only: its header lines that the golden response lacks ("+ ...")
    // and the golden lines it lacks ("- ...").
    std::vector<std::string> header_differences;
};

// Sends GET / once. A stage must answer the golden bytes exactly; nginx the
// same status line, Content-Type and body, with whatever headers it adds.
answer_check check_answer(const target& t, int port);

}  // namespace bench
