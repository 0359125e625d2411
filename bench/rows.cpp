// Measuring: the rows (the build's servers, any added with --with, nginx, h2o), how
// each starts, and the check before any measuring.
#include "bench.hpp"

#include "support/golden.hpp"
#include "support/nginx.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace bench {
namespace {

// h2o as nginx is started (support/nginx.cpp): a thread per core, no access log, the page as a
// static file, room for the idle sweep, and kept connections idle for longer than any window.
constexpr std::string_view h2o_config = R"(num-threads: @THREADS@
max-connections: 20000
http1-request-timeout: 60
error-log: @DIR@/error.log
listen: {host: 127.0.0.1, port: @PORT@}
file.mime.settypes: {"text/html; charset=utf-8": .html}
hosts: {default: {paths: {/: {file.dir: @DIR@/www}}}}
)";

struct h2o_server : workshop::server_process {
    static std::filesystem::path dir(int port) { return workshop::reference_directory("h2o", port); }
    static std::vector<std::string> configure(int port) {
        workshop::write_page(dir(port));
        std::string text(::geteuid() == 0 ? "user: root\n" : "");  // as root, it stays root
        text += workshop::replace_all(workshop::replace_all(std::string(h2o_config), "@DIR@", dir(port).string()), "@PORT@", std::to_string(port));
        std::ofstream(dir(port) / "h2o.conf") << workshop::replace_all(text, "@THREADS@", std::to_string(std::thread::hardware_concurrency()));
        return {"-c", (dir(port) / "h2o.conf").string()};
    }
    h2o_server(const std::filesystem::path& program, int port) : server_process(program, configure(port), port) {}
    ~h2o_server() override { stop(SIGTERM), std::filesystem::remove_all(dir(port())); }
};

// A reference adds header lines of its own (the report lists them); its
// status line, Content-Type (h2o writes the name in lower case) and body
// must be the golden response's.
std::string compare_reference(const std::string& got, const std::string& golden) {
    auto line = [](const std::string& m, std::size_t from) { return m.substr(from, m.find("\r\n", from) - from); };
    auto body = [](const std::string& m) { return m.substr(std::min(m.find("\r\n\r\n"), m.size())); };
    auto lower = [](std::string m) { return std::ranges::transform(m, m.begin(), ::tolower), m; };
    std::string content_type = line(golden, golden.find("\r\nContent-Type:") + 2);
    if (line(got, 0) != line(golden, 0)) return "answered GET / with another status line";
    if (lower(got).find("\r\n" + lower(content_type) + "\r\n") == std::string::npos)
        return "answered GET / without \"" + content_type + "\"";
    return body(got) == body(golden) ? "" : "answered GET / with another body";
}

// GET / once: empty when the answer is the golden response, else what differs.
std::string check_answer(row& r, int port) {
    // A right answer takes milliseconds, even emulated.
    workshop::reply answer = workshop::exchange(port, workshop::simple_get, 5s);
    const std::string& golden = workshop::golden_response();
    r.answer = answer.bytes;
    if (answer.bytes.empty()) return std::string("no answer to GET / (") + workshop::to_string(answer.end) + ")";
    if (r.what == row::kind::reference) return compare_reference(answer.bytes, golden);
    if (answer.bytes == golden) return "";
    auto at = static_cast<std::size_t>(std::ranges::mismatch(answer.bytes, golden).in1 - answer.bytes.begin());
    auto from = at < 12 ? 0 : at - 12;
    return "answered GET / with " + std::to_string(answer.bytes.size()) + " bytes, not the golden " +
           std::to_string(golden.size()) + "; from byte " + std::to_string(from) + " it sent \"" +
           workshop::visible(answer.bytes.substr(from, 32)) + "\" where the golden response has \"" +
           workshop::visible(golden.substr(from, 32)) + "\"";
}

// A fresh server that answered GET / rightly, or nullptr and `problem` why not.
std::unique_ptr<workshop::server_process> start_checked(row& r, std::string& problem) {
    try {
        auto server = start(r);
        problem = check_answer(r, server->port());
        if (problem.empty()) return server;
    } catch (const std::exception& e) {
        problem = std::string("did not start: ") + e.what();
    }
    return nullptr;
}

}  // namespace

std::vector<row> read_rows(const std::vector<std::string>& added) {
    std::vector<row> rows;
    for (const auto& [name, label, program] : workshop::build_servers())
        rows.push_back({name, label, {program}, workshop::is_script(program) ? row::kind::emulated : row::kind::built});
    for (const std::string& with : added) {  // NAME=COMMAND
        auto equals = std::min(with.find('='), with.size());
        std::string name = with.substr(0, equals);
        auto command = workshop::words_of(with.substr(std::min(equals + 1, with.size())));
        if (name.empty() || command.empty())
            throw std::invalid_argument("--with needs NAME=COMMAND, not '" + with + "'");
        if (name.find_first_of(" \t/|") != std::string::npos)
            throw std::invalid_argument("--with: NAME may not hold a space, '/' or '|': '" + name + "'");
        if (name == "nginx" || name == "h2o" || std::ranges::any_of(rows, [&](const row& r) { return r.name == name; }))
            throw std::invalid_argument("--with " + name + "=...: there is a row of that name already");
        rows.push_back({name, name, command, row::kind::added});
    }
    for (const char* name : {"nginx", "h2o"}) {
        auto program = workshop::find_program(name);
        rows.push_back({name, name, program ? std::vector{program->string()} : std::vector<std::string>{}, row::kind::reference});
    }
    return rows;
}

std::unique_ptr<workshop::server_process> start(const row& r, const std::vector<std::string>& wrapper) {
    // A free port can be taken by another server starting at the same
    // moment (the checks before measuring run at once): then try another.
    for (int attempt = 1;; ++attempt) {
        try {
            if (r.what == row::kind::reference) {
                if (r.command.empty()) throw std::runtime_error(r.name + " is not installed (./workshop bench installs it)");
                if (r.name == "h2o") return std::make_unique<h2o_server>(r.command[0], workshop::free_port());
                return std::make_unique<workshop::nginx_server>(r.command[0]);
            }
            int port = workshop::free_port();
            std::vector<std::string> words = wrapper, command = workshop::server_command(r.command, port);
            words.insert(words.end(), command.begin(), command.end());
            return std::make_unique<workshop::server_process>(words[0], std::vector(words.begin() + 1, words.end()), port);
        } catch (const std::runtime_error& e) {
            if (attempt == 3 || std::string_view(e.what()).find("in use") == std::string_view::npos) throw;
        }
    }
}

void check_row(row& r) {
    auto server = start_checked(r, r.problem);
    if (!server) return;
    // Concurrent: a silent connection stays open and unanswered while a
    // fresh client gets its answer.
    stalled_clients silent(server->port(), 1);
    std::this_thread::sleep_for(100ms);
    auto fresh = workshop::exchange(server->port(), workshop::simple_get, 500ms);
    r.concurrent = silent.held() == 1 && fresh.bytes.starts_with("HTTP/1.1 200 ");
    // Keeps connections: two requests in one write, both answered before the close.
    std::string two = workshop::send_and_half_close(server->port(), workshop::kept_get + workshop::kept_get).bytes;
    r.keeps = two.find("HTTP/1.1 200 ", two.find("HTTP/1.1 200 ") + 1) != std::string::npos;
}

std::unique_ptr<workshop::server_process> start_window(benchmark::State& state, row& r, const std::string& what) {
    if (::isatty(STDERR_FILENO)) std::fprintf(stderr, "\r\033[K  measuring %s / %s", r.name.c_str(), what.c_str());
    std::string problem;
    auto server = start_checked(r, problem);
    if (!server) state.SkipWithError(problem.c_str());
    return server;
}

}  // namespace bench
