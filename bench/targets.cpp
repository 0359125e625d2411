#include "targets.hpp"

#include "load.hpp"
#include "support/client.hpp"
#include "tools.hpp"

#include <algorithm>
#include <fstream>
#include <pwd.h>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace bench {
namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The wrapper that runs the ARM64 original under qemu is a shell script;
// every native server is a compiled program.
bool is_script(const std::filesystem::path& file) {
    char start[2] = {};
    std::ifstream(file, std::ios::binary).read(start, 2);
    return start[0] == '#' && start[1] == '!';
}

void replace_all(std::string& text, std::string_view from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

// bench/nginx.conf.in with its blanks filled in.
std::string nginx_config(int port, const std::filesystem::path& dir) {
    std::string config = read_file(BENCH_NGINX_TEMPLATE);
    std::string user;
    if (::geteuid() == 0)
        if (const passwd* me = ::getpwuid(::geteuid())) user = std::string("user ") + me->pw_name + ";";
    replace_all(config, "@PORT@", std::to_string(port));
    replace_all(config, "@DIR@", dir.string());
    replace_all(config, "@USER@", user);
    return config;
}

std::unique_ptr<workshop::server_process> start_nginx(const target& t,
                                                      const std::filesystem::path& work_dir) {
    if (t.program.empty())
        throw std::runtime_error("nginx is not installed (./workshop bench installs it)");
    auto dir = std::filesystem::absolute(work_dir / "nginx");
    std::filesystem::create_directories(dir);
    int port = workshop::free_port();
    std::ofstream(dir / "nginx.conf") << nginx_config(port, dir);
    std::vector<std::string> args = {"-p", dir.string(), "-e", (dir / "error.log").string(),
                                     "-c", (dir / "nginx.conf").string()};
    return std::make_unique<workshop::server_process>(t.program, args, port);
}

// An HTTP message cut into its status line, header lines and body.
struct message {
    std::string status_line;
    std::vector<std::string> headers;
    std::string body;
};

message split(const std::string& bytes) {
    message m;
    auto head_end = bytes.find("\r\n\r\n");
    std::string head = bytes.substr(0, head_end);
    m.body = head_end == std::string::npos ? "" : bytes.substr(head_end + 4);
    std::size_t start = 0;
    while (start <= head.size()) {
        auto end = std::min(head.find("\r\n", start), head.size());
        if (start == 0) m.status_line = head.substr(0, end);
        else m.headers.push_back(head.substr(start, end - start));
        start = end + 2;
    }
    return m;
}

bool contains(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

// nginx may add headers; status line, Content-Type and body must match.
void compare_reference(const std::string& got, const std::string& golden, answer_check& check) {
    message theirs = split(got), ours = split(golden);
    auto content_type = *std::find_if(ours.headers.begin(), ours.headers.end(),
                                      [](const auto& h) { return h.starts_with("Content-Type:"); });
    if (theirs.status_line != ours.status_line) check.problem = "status line " + theirs.status_line;
    else if (!contains(theirs.headers, content_type)) check.problem = "no \"" + content_type + "\"";
    else if (theirs.body != ours.body) check.problem = "a different body";
    if (!check.problem.empty()) check.problem = "answered GET / with " + check.problem;

    for (const auto& h : theirs.headers)
        if (!contains(ours.headers, h)) check.header_differences.push_back("+ " + h);
    for (const auto& h : ours.headers)
        if (!contains(theirs.headers, h)) check.header_differences.push_back("- " + h);
}

}  // namespace

std::vector<target> all_targets() {
    std::vector<target> targets;
    for (const auto& entry : std::filesystem::directory_iterator(WORKSHOP_BIN_DIR)) {
        if (!entry.is_regular_file() || ::access(entry.path().c_str(), X_OK) != 0) continue;
        auto kind = is_script(entry.path()) ? target::kind::emulated : target::kind::stage;
        targets.push_back({entry.path().filename().string(), entry.path(), kind});
    }
    std::sort(targets.begin(), targets.end(),
              [](const target& a, const target& b) { return a.name < b.name; });
    targets.push_back({"nginx", find_tool("nginx").value_or(""), target::kind::reference});
    return targets;
}

std::unique_ptr<workshop::server_process> start(const target& t,
                                                const std::filesystem::path& work_dir) {
    if (t.what == target::kind::reference) return start_nginx(t, work_dir);
    return std::make_unique<workshop::server_process>(t.name);
}

answer_check check_answer(const target& t, int port) {
    answer_check check;
    // A right answer takes milliseconds, even emulated; waiting longer only
    // delays the row that is about to be reported as failed.
    workshop::reply answer = workshop::exchange(port, request, std::chrono::seconds(5));
    check.response_size = answer.bytes.size();
    const std::string golden = read_file(WORKSHOP_GOLDEN_FILE);
    if (answer.bytes.empty()) {
        check.problem = std::string("no answer to GET / (") + workshop::to_string(answer.end) + ")";
    } else if (t.what == target::kind::reference) {
        compare_reference(answer.bytes, golden, check);
    } else if (answer.bytes != golden) {
        auto first = std::mismatch(answer.bytes.begin(), answer.bytes.end(), golden.begin(),
                                   golden.end());
        check.problem = "answered GET / with " + std::to_string(answer.bytes.size()) +
                        " bytes, not the golden response (they differ from byte " +
                        std::to_string(first.first - answer.bytes.begin()) + ")";
    }
    return check;
}

}  // namespace bench
