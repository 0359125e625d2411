// What real clients see: curl, wget, Python's http.client, ApacheBench and a
// headless browser, each run as a child process against the stage. Each is
// a CTest test of its own (<stage>-curl, ... <stage>-browser), hidden from
// the stage's row: a client that is not installed skips its test, saying
// how to install it, and CTest shows that test skipped.
//
// Every client but ab reads the 172 bytes, finds "Content-Length: 74" there,
// and has the whole page: how the connection ends afterwards no longer
// matters to it. ab ignores Content-Length on a connection it did not ask
// to keep alive and reads on until the end of the stream; a stage that
// closes with the request unread (01) ends it with a reset instead, so ab
// cannot measure it. That is asserted as 01's lesson.
#include "stages.hpp"

#include <catch2/catch_test_macros.hpp>
#include <cstdlib>
#include <filesystem>
#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <unistd.h>
#include <vector>

using namespace workshop;
namespace fs = std::filesystem;

namespace {

// What a client that parses HTTP hands its user: the body after the head.
std::string golden_body() {
    const std::string& response = golden_response();
    return response.substr(response.find("\r\n\r\n") + 4);
}

std::string url(const stage_server& server) {
    return "http://127.0.0.1:" + std::to_string(server.port()) + "/";
}

// Where `name` is installed; if it is not, the test SKIPs saying how to get it.
fs::path require_client(std::string_view name, std::string_view hint) {
    if (auto path = find_program(name)) return *path;
    SKIP(std::string(name) + " is not installed: " + std::string(hint));
    throw std::logic_error("SKIP returned");  // it throws; this keeps the compiler content
}

std::size_t occurrences(std::string_view text, std::string_view part) {
    std::size_t count = 0;
    for (auto at = text.find(part); at != std::string_view::npos; at = text.find(part, at + 1)) ++count;
    return count;
}

// The last `n` characters: where a client prints its verdict.
std::string tail(const std::string& text, std::size_t n = 1500) {
    return text.size() <= n ? text : "..." + text.substr(text.size() - n);
}

// A run's outcome for a failure message: exit status, then what it printed.
std::string describe(const run_result& r) {
    std::string text = r.timed_out ? "killed after the time limit" : "exit status " + std::to_string(r.exit_code);
    return text + "\nstdout:\n" + tail(r.out) + "\nstderr:\n" + tail(r.err);
}

// Runs `count` commands, `parallel` at a time, each `program args`; every
// result, in no particular order. One thread starts them all (see
// start_command), and a batch's limit runs from when it started.
std::vector<run_result> run_many(const fs::path& program, const std::vector<std::string>& args,
                                 int count, int parallel, std::chrono::milliseconds limit) {
    std::vector<run_result> results;
    for (int started = 0; started < count; started += parallel) {
        std::vector<started_command> batch;
        for (int i = started; i < std::min(count, started + parallel); ++i)
            batch.push_back(start_command(program, args));
        auto deadline = std::chrono::steady_clock::now() + limit;
        for (const auto& command : batch) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            results.push_back(finish_command(command, std::max(left, std::chrono::milliseconds(0))));
        }
    }
    return results;
}

}  // namespace

TEST_CASE("curl: every fetch, one at a time and 16 at once, is the whole response",
          "[real-clients][.curl]") {
    auto curl = require_client("curl", "apt-get install curl (./workshop test installs it)");
    auto server = start_server();
    // -i: the head too, byte for byte, so curl's output is the golden
    // response; from a server that keeps connections (whose head may lack
    // Connection: close), its status line and the page.
    std::vector<std::string> args = {"-sS", "-i", "--max-time", "60", url(*server)};
    bool closes = current_stage_listed() && !current_stage().keeps_alive;
    for (int parallel : {1, 16}) {
        auto results = run_many(curl, args, 48, parallel, 90s);
        for (const auto& r : results) {
            INFO(parallel << " at a time: " << describe(r));
            REQUIRE(r.exit_code == 0);
            if (closes) REQUIRE(r.out == golden_response());
            REQUIRE(r.out.starts_with("HTTP/1.1 200 OK\r\n"));
            REQUIRE(r.out.ends_with("\r\n\r\n" + golden_body()));
        }
    }
}

// Keep-alive as clients use it: one connection for several requests (08);
// the other stages close after each answer, and the client opens another.
TEST_CASE("curl: the page twice in one command, over one connection where kept", "[real-clients][.curl]") {
    auto curl = require_client("curl", "apt-get install curl (./workshop test installs it)");
    auto server = start_server();
    auto r = run_command(curl, {"-sS", "-v", "--max-time", "60", url(*server), url(*server)}, 90s);
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    CHECK(r.out == golden_body() + golden_body());
    bool reused = r.err.find("Re-using existing connection") != std::string::npos ||
                  r.err.find("Reusing existing connection") != std::string::npos;
    if (current_stage_listed()) CHECK(reused == current_stage().keeps_alive);
}

TEST_CASE("Python's http.client: two requests over one connection where kept", "[real-clients][.python]") {
    auto python = require_client("python3", "apt-get install python3 (./workshop test installs it)");
    auto server = start_server();
    // The second request on the same HTTPConnection: http.client reconnects
    // by itself when the server closed the first (01 to 07); the number of
    // connections it opened is printed last.
    const char* script = R"(
import http.client, sys
port = int(sys.argv[1])
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
opened = 0
for _ in range(2):
    if connection.sock is None:
        opened += 1
    connection.request("GET", "/")
    response = connection.getresponse()
    sys.stdout.buffer.write(b"%d\n" % response.status + response.read())
    if response.will_close:
        connection.close()
print(opened)
)";
    auto r = run_command(python, {"-c", script, std::to_string(server->port())}, 120s);
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    std::string page = "200\n" + golden_body();
    CHECK(r.out.starts_with(page + page));
    if (current_stage_listed()) CHECK(r.out == page + page + (current_stage().keeps_alive ? "1\n" : "2\n"));
}

TEST_CASE("ApacheBench -k: 200 requests, kept alive where the server keeps them", "[real-clients][.ab]") {
    auto ab = require_client("ab", "apt-get install apache2-utils (./workshop test installs it; macOS has ab)");
    if (!current_stage().reads_request) SKIP("ab cannot measure a server that resets (see the test above)");
    auto server = start_server();
    const int requests = 200;
    auto r = run_command(ab, {"-k", "-n", std::to_string(requests), "-c", "4", "-s", "20", url(*server)}, 120s);
    INFO(describe(r));
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Complete requests:      " + std::to_string(requests) + "\n") != std::string::npos);
    CHECK(r.out.find("Failed requests:        0\n") != std::string::npos);
    // ab counts the answers that kept the connection (HTTP/1.0 with
    // Connection: keep-alive, as ab asks): all of them from 08, none before.
    std::string kept = "Keep-Alive requests:    " + std::to_string(current_stage().keeps_alive ? requests : 0) + "\n";
    if (current_stage_listed()) CHECK(r.out.find(kept) != std::string::npos);
}

TEST_CASE("wget: every download is the page", "[real-clients][.wget]") {
    auto wget = require_client("wget", "apt-get install wget or brew install wget (./workshop test installs it)");
    auto server = start_server();
    // --tries=1: wget retries a failed download by default, which would hide a failure.
    auto results = run_many(wget, {"-q", "--tries=1", "--timeout=60", "-O", "-", url(*server)}, 24, 1, 90s);
    for (const auto& r : results) {
        INFO(describe(r));
        REQUIRE(r.exit_code == 0);
        REQUIRE(r.out == golden_body());
    }
}

TEST_CASE("Python's http.client: every response is 200 with the page", "[real-clients][.python]") {
    auto python = require_client("python3", "apt-get install python3 (./workshop test installs it)");
    auto server = start_server();
    // A fresh connection per request, as the server closes each one; an
    // exception (ConnectionResetError, say) ends the script non-zero.
    const char* script = R"(
import http.client, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
for _ in range(count):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/")
    response = connection.getresponse()
    sys.stdout.buffer.write(b"%d\n" % response.status + response.read())
    connection.close()
)";
    const int requests = 100;
    auto r = run_command(python, {"-c", script, std::to_string(server->port()), std::to_string(requests)}, 120s);
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    CHECK(occurrences(r.out, "200\n" + golden_body()) == requests);
    CHECK(r.out.size() == requests * ("200\n" + golden_body()).size());
}

TEST_CASE("ApacheBench: 200 requests one after another (stage 01 resets, so ab cannot measure it)",
          "[real-clients][.ab]") {
    auto ab = require_client("ab", "apt-get install apache2-utils (./workshop test installs it; macOS has ab)");
    auto server = start_server();
    const int requests = 200;
    bool reads_request = current_stage().reads_request;
    // -s: ab's own limit on waiting for a response; shorter where ab is
    // expected to wait it out (see below). -v 4 prints every response ab
    // receives, so the bytes can be checked, not just counted.
    std::string wait = reads_request ? "20" : "5";
    auto r = run_command(ab, {"-n", std::to_string(requests), "-c", "1", "-s", wait, "-v", "4", url(*server)}, 120s);
    INFO(describe(r));
    REQUIRE_FALSE(r.timed_out);
    if (reads_request) {
        CHECK(r.exit_code == 0);
        CHECK(r.out.find("Complete requests:      " + std::to_string(requests) + "\n") != std::string::npos);
        CHECK(r.out.find("Failed requests:        0\n") != std::string::npos);
        CHECK(occurrences(r.out, golden_response()) == requests);
    } else {
        // The lesson. ab reads each connection until it ends, and 01 ends
        // them with a reset. When one of ab's reads meets it, ab stops with
        // "apr_socket_recv: Connection reset by peer". When the reset comes
        // with the response, ab counts an exception and opens the next
        // connection; having opened them all, it finds hardly any complete
        // and waits for the rest until -s expires. Either way, no report.
        CHECK(r.exit_code != 0);
        CHECK(r.out.find("Complete requests:") == std::string::npos);
        bool reset = r.err.find("apr_socket_recv: Connection reset by peer") != std::string::npos;
        bool gave_up = r.err.find("apr_pollset_poll: The timeout specified has expired") != std::string::npos;
        CHECK((reset || gave_up));
    }
}

namespace {

// A headless Chrome or Chromium: Debian's chromium on PATH, or the app on a Mac.
std::optional<fs::path> find_browser() {
    for (auto name : {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"})
        if (auto path = find_program(name)) return path;
    for (const char* app : {"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
                            "/Applications/Chromium.app/Contents/MacOS/Chromium"})
        if (::access(app, X_OK) == 0) return fs::path(app);
    return std::nullopt;
}

// A fresh, empty profile directory, removed afterwards, so that no cache or
// earlier session can answer in the server's place.
class temp_profile {
public:
    temp_profile() {
        std::string pattern = (fs::temp_directory_path() / "workshop-browser-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
        path_ = pattern;
    }
    ~temp_profile() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    temp_profile(const temp_profile&) = delete;
    temp_profile& operator=(const temp_profile&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

}  // namespace

TEST_CASE("a headless browser renders the page", "[real-clients][.browser]") {
    auto browser = find_browser();
    if (!browser)
        SKIP("no Chrome or Chromium found: ./workshop test --all installs chromium "
             "(on a Mac, install Google Chrome)");
    auto server = start_server();
    // The page's heading as the golden body has it; the browser's DOM dump
    // must contain it exactly.
    std::string body = golden_body();
    auto from = body.find("<h1>"), to = body.find("</h1>");
    REQUIRE((from != std::string::npos && to != std::string::npos));
    std::string heading = body.substr(from, to + 5 - from);

    for (int load = 0; load < 3; ++load) {
        temp_profile profile;
        std::vector<std::string> args = {
            "--headless=new", "--disable-gpu", "--disable-quic", "--no-first-run",
            // Without these it reaches out to Google's services at start-up.
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--user-data-dir=" + profile.path().string(), "--dump-dom", url(*server)};
        // Chromium refuses to run as root with its sandbox on.
        if (::geteuid() == 0) args.insert(args.begin(), "--no-sandbox");
        auto r = run_command(*browser, args, 120s);
        INFO("load " << load << ": " << describe(r));
        REQUIRE(r.exit_code == 0);
        REQUIRE(r.out.find(heading) != std::string::npos);
    }
}
