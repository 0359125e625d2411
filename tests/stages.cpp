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
         .sandboxed_when = "refused by a seccomp filter",
         .reads_request = true,
         .parses_request = true,
         .has_read_timeout = true,
         .graceful_shutdown = true,
         .concurrent = true,
         .cheap_idle = true},
        {.name = "08-keep-alive",
         .reads_request = true,
         .parses_request = true,
         .has_read_timeout = true,
         .graceful_shutdown = true,
         .concurrent = true,
         .cheap_idle = true,
         .keeps_alive = true},
    };
    return stages;
}

namespace {

const stage* chosen = nullptr;
std::filesystem::path chosen_server;
std::vector<std::string> chosen_words;
std::string unlisted_name;
stage unlisted;

bool always(const stage&) { return true; }

struct capability_rule {
    std::string_view capability;
    bool (*earned)(const stage&);
};

// Held to every capability, a row earns these; each rule names what the
// full test asks of the server that the row's lesson leaves out.
const capability_rule capability_rules[] = {
    {"golden-bytes", always},
    {"cli", always},
    {"port-taken", always},
    {"client-reset", always},
    // A server that closes with the request unread ends with a reset.
    {"clean-eof", [](const stage& s) { return s.reads_request; }},
    {"trickled-request", always},
    // 431 for a head too large, 400/404/405 by the request.
    {"large-request", [](const stage& s) { return s.parses_request; }},
    {"status-codes", [](const stage& s) { return s.parses_request; }},
    {"rfc9112", [](const stage& s) { return s.parses_request; }},
    {"hostile", [](const stage& s) { return s.parses_request; }},
    // Silent clients dropped after --read-timeout, while the next are served.
    {"stall", [](const stage& s) { return s.has_read_timeout && s.concurrent; }},
    {"graceful-shutdown", [](const stage& s) { return s.graceful_shutdown; }},
    // Every answer golden: a server serving one client at a time answers
    // them all too, in turn, as the kernel retries the connections its
    // listen queue turned away.
    {"concurrent", always},
    // Silent clients taken in beyond a listen queue of 16: a server serving
    // one at a time leaves the next connection waiting.
    {"connection-limit", [](const stage& s) { return s.concurrent; }},
    {"descriptor-limit", [](const stage& s) { return s.concurrent; }},
    {"no-leak", always},
    // Thousands of silent connections held at once: a thread each runs
    // into the connection limit, and a server that never reads closes them.
    {"many-idle", [](const stage& s) { return s.cheap_idle; }},
    // A burst of silent clients taken in at once, and its threads gone after.
    {"idle-workers", [](const stage& s) { return s.concurrent; }},
    // Requests after the first on one connection, pipelined ones in order.
    {"keep-alive", [](const stage& s) { return s.keeps_alive; }},
    {"curl", always},
    {"wget", always},
    {"python", always},
    // ab reads each response to the end of the stream: a reset stops it.
    {"ab", [](const stage& s) { return s.reads_request; }},
    {"browser", always},
};

// The line of `text` that names `flag` (where a usage error says what was
// wrong), or else its first.
std::string line_naming(std::string_view text, std::string_view flag) {
    std::string_view first;
    while (!text.empty()) {
        auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        if (first.empty()) first = line;
        if (line.find(flag) != std::string_view::npos) return std::string(line);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    }
    return std::string(first);
}

}  // namespace

bool earns(const stage& s, std::string_view capability) {
    for (const auto& rule : capability_rules)
        if (rule.capability == capability) return rule.earned(s);
    throw std::invalid_argument("no rule for capability '" + std::string(capability) + "' in tests/stages.cpp");
}

void choose_stage(std::string_view name, std::filesystem::path server, std::vector<std::string> server_words) {
    if (name.empty()) throw std::invalid_argument("--stage is missing");
    chosen_server = std::move(server);
    chosen_words = std::move(server_words);
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
                .cheap_idle = true,
                .keeps_alive = true};
    chosen = &unlisted;
}

std::vector<std::string> server_args(int port, const std::vector<std::string>& args) {
    std::vector<std::string> words = server_command(chosen_words, port);
    words.insert(words.end(), args.begin(), args.end());
    return words;
}

std::vector<std::string> command_args(const std::vector<std::string>& args) {
    std::vector<std::string> words;
    int port = 0;
    for (const auto& word : chosen_words) {
        if (word.find("{port}") != std::string::npos && port == 0) port = free_port();
        words.push_back(replace_all(word, "{port}", std::to_string(port)));
    }
    words.insert(words.end(), args.begin(), args.end());
    return words;
}

bool current_stage_listed() { return chosen != &unlisted; }

bool server_not_built() {
    return chosen != &unlisted && !std::filesystem::exists(current_server());
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
        server_process probe(current_server(), server_args(port), port);
    } catch (const std::runtime_error& e) {
        std::string what = e.what();
        if (what.find(s.unavailable_when) != std::string::npos) return what;
        throw;
    }
    return std::nullopt;
}

bool may_be_unavailable(std::string_view reason) {
    const stage& s = current_stage();
    if (!s.sandboxed_when.empty() && reason.find(s.sandboxed_when) != std::string_view::npos) return true;
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
    if (server_not_built())
        SKIP(std::string(s.name) + " was not built here: " + std::string(s.missing_hint));
    int port = free_port();
    try {
        return std::make_unique<stage_server>(current_server(), server_args(port, args), port);
    } catch (const std::runtime_error& failed) {
        if (args.empty()) throw;
        // Exited with the test's flags: does it listen without them?
        try {
            port = free_port();
            stage_server without(current_server(), server_args(port), port);
        } catch (const std::runtime_error&) {
            throw failed;
        }
        std::string_view error = failed.what(), exited = "server exited before accepting: ";
        if (error.starts_with(exited)) error.remove_prefix(exited.size());
        FAIL("needs " << args.front() << ": given it, the server exits at once: " << line_naming(error, args.front()));
    }
    throw std::logic_error("FAIL returned");
}

std::vector<std::string> read_timeout_args(const stage& s, double seconds) {
    if (!s.has_read_timeout) return {};
    return {"--read-timeout", std::to_string(seconds)};
}

std::vector<socket_fd> silent_clients(int port, int count, std::chrono::seconds within) {
    auto deadline = std::chrono::steady_clock::now() + within;
    std::vector<socket_fd> fds;
    for (int i = 0; i < count; ++i) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        fds.push_back(connect_to(port, std::max(left, std::chrono::milliseconds(0))));
        INFO("silent connection " << i + 1 << " of " << count << " not accepted within " << within.count()
                                  << " s of the first");
        REQUIRE(fds.back().get() >= 0);
    }
    return fds;
}

}  // namespace workshop
