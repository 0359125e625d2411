#include "stages.hpp"

#include <catch2/catch_test_macros.hpp>
#include <csignal>
#include <filesystem>
#include <stdexcept>

namespace workshop {

const std::vector<stage>& all_stages() {
    // Designated initializers: a row names each capability it has.
    static const std::vector<stage> stages = {
        {.name = "01-raw-asm"},
        {.name = "01-raw-asm-arm64",
         .missing_hint = "the ARM64 original needs an x86-64 Linux host with "
                         "g++-aarch64-linux-gnu and qemu-user installed (./workshop test installs them)"},
        {.name = "01-raw-asm-x86_64",
         .missing_hint = "the x86-64 twin on an ARM64 host needs Rosetta 2 on macOS "
                         "(softwareupdate --install-rosetta) or g++-x86-64-linux-gnu and qemu-user on Linux"},
        {.name = "02-c-abi-from-cpp", .reads_request = true},
        {.name = "03-raii-cpp",
         .reads_request = true,
         .parses_request = true,
         .has_read_timeout = true,
         .graceful_shutdown = true},
        {.name = "04-threaded",
         .reads_request = true,
         .parses_request = true,
         .has_read_timeout = true,
         .graceful_shutdown = true,
         .concurrent = true},
        {.name = "05-event-loop",
         .reads_request = true,
         .parses_request = true,
         .has_read_timeout = true,
         .graceful_shutdown = true,
         .concurrent = true,
         .cheap_idle = true},
        {.name = "06-coroutines",
         .missing_hint = "stage 06 needs standalone Asio (./workshop test installs libasio-dev, or asio with brew)",
         .reads_request = true,
         .parses_request = true,
         .has_read_timeout = true,
         .graceful_shutdown = true,
         .concurrent = true,
         .cheap_idle = true},
        {.name = "07-io-uring",
         .missing_hint = "stage 07 needs Linux and liburing (./workshop test installs liburing-dev)",
         .unavailable_when = "io_uring is not available here",
         .reads_request = true,
         .parses_request = true,
         .has_read_timeout = true,
         .graceful_shutdown = true,
         .concurrent = true,
         .cheap_idle = true},
    };
    return stages;
}

namespace {
const stage* chosen = nullptr;
std::filesystem::path chosen_server;
std::string unlisted_name;
stage unlisted;
}  // namespace

void choose_stage(std::string_view name, std::filesystem::path server) {
    if (name.empty()) throw std::invalid_argument("--stage is missing");
    chosen_server = std::move(server);
    for (const auto& s : all_stages())
        if (s.name == name) {
            chosen = &s;
            return;
        }
    // A server with no row here is held to every capability.
    unlisted_name = name;
    unlisted = {.name = unlisted_name,
                .reads_request = true,
                .parses_request = true,
                .has_read_timeout = true,
                .graceful_shutdown = true,
                .concurrent = true,
                .cheap_idle = true};
    chosen = &unlisted;
}

const std::filesystem::path& current_server() {
    current_stage();  // throws when none was chosen
    return chosen_server;
}

const stage& current_stage() {
    if (!chosen) throw std::logic_error("no stage chosen: pass --stage NAME");
    return *chosen;
}

std::optional<std::string> unavailable_here() {
    const stage& s = current_stage();
    if (s.unavailable_when.empty() || !std::filesystem::exists(current_server())) return std::nullopt;
    try {
        int port = free_port();
        server_process probe(current_server(), {"--port", std::to_string(port)}, port);
    } catch (const std::runtime_error& e) {
        std::string what = e.what();
        if (what.find(s.unavailable_when) != std::string::npos) return what;
        throw;
    }
    return std::nullopt;
}

bool may_be_unavailable() {
#if defined(__linux__) && defined(__x86_64__)
    return !server_launcher().empty();  // an emulated build may lack what the host has
#else
    return true;
#endif
}

stage_server::~stage_server() {
    stop(SIGTERM);
    std::string err = error_output();
    bool reported = err.find("Sanitizer") != std::string::npos ||  // ThreadSanitizer, AddressSanitizer, LeakSanitizer
                    err.find("runtime error:") != std::string::npos;  // UndefinedBehaviorSanitizer
    if (reported) FAIL_CHECK("the server reported:\n" << err);
}

std::unique_ptr<stage_server> start_server(std::vector<std::string> args) {
    const stage& s = current_stage();
    if (!std::filesystem::exists(current_server()))
        SKIP(std::string(s.name) + " was not built here: " + std::string(s.missing_hint));
    int port = free_port();
    args.insert(args.begin(), {"--port", std::to_string(port)});
    return std::make_unique<stage_server>(current_server(), args, port);
}

std::vector<std::string> read_timeout_args(const stage& s, double seconds) {
    if (!s.has_read_timeout) return {};
    return {"--read-timeout", std::to_string(seconds)};
}

}  // namespace workshop
