#include "process.hpp"

#include "client.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <netinet/in.h>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#if defined(__APPLE__)
#include <libproc.h>           // proc_pidinfo, proc_pid_rusage
#include <mach/mach_time.h>    // mach_timebase_info
#include <sys/sysctl.h>        // sysctlbyname
#endif

extern char** environ;

namespace workshop {
namespace {

// A fresh empty file in the temporary directory, for a child's output.
std::filesystem::path temp_file(const char* what) {
    auto pattern = (std::filesystem::temp_directory_path() /
                    (std::string("workshop-") + what + "-XXXXXX")).string();
    int fd = ::mkstemp(pattern.data());
    if (fd < 0) throw std::runtime_error("mkstemp failed for " + pattern);
    ::close(fd);
    return pattern;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// posix_spawn (rather than fork+exec) works the same on Linux and macOS.
// A server of a cross build starts through the launcher: the kernel cannot
// run it, and the emulator running this harness does not follow its exec.
pid_t spawn(const std::filesystem::path& program, const std::vector<std::string>& args,
            const std::filesystem::path& out, const std::filesystem::path& err) {
    std::vector<std::string> words = command_for(program);
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    const std::string& program_string = words.front();

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_TRUNC, 0);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_TRUNC, 0);
    pid_t pid = -1;
    // posix_spawnp: the launcher may be a bare command name, found on PATH.
    int rc = ::posix_spawnp(&pid, program_string.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + program_string);
    return pid;
}

// Polls for the child's exit until `limit`; the raw status once it exited.
std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) return status;
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(5ms);
    }
}

std::optional<int> exit_code(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return std::nullopt;
}

}  // namespace

std::vector<server_row> build_servers() {
    std::ifstream in(WORKSHOP_SERVERS_FILE);
    if (!in) throw std::runtime_error("cannot read " WORKSHOP_SERVERS_FILE);
    std::vector<server_row> rows;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line.starts_with('#')) continue;
        std::istringstream fields(line);
        server_row row;
        std::string program;
        if (!std::getline(fields, row.name, '\t') || !std::getline(fields, row.label, '\t') ||
            !std::getline(fields, program) || program.empty())
            throw std::runtime_error(WORKSHOP_SERVERS_FILE ": not name, label and program: " + line);
        row.program = program;
        rows.push_back(std::move(row));
    }
    return rows;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

std::vector<std::string> server_command(const std::vector<std::string>& command, int port) {
    std::vector<std::string> words;
    for (const auto& word : command) words.push_back(replace_all(word, "{port}", std::to_string(port)));
    if (words == command) words.insert(words.end(), {"--port", std::to_string(port)});
    return words;
}

std::vector<std::string> words_of(const std::string& text) {
    std::vector<std::string> words;
    std::istringstream in(text);
    for (std::string word; in >> word;) words.push_back(word);
    return words;
}

bool is_script(const std::filesystem::path& program) {
    std::ifstream in(program, std::ios::binary);
    char start[2] = {};
    return in.read(start, 2) && start[0] == '#' && start[1] == '!';
}

std::vector<std::string> server_launcher() { return words_of(WORKSHOP_SERVER_LAUNCHER); }

#if defined(__APPLE__)

// macOS: libproc asks the kernel about another process (our own child, so
// no special rights are needed).
std::optional<std::vector<int>> descriptor_numbers(pid_t pid) {
    int bytes = ::proc_pidinfo(pid, PROC_PIDLISTFDS, 0, nullptr, 0);  // an upper bound
    if (bytes <= 0) return std::nullopt;
    std::vector<proc_fdinfo> fds(static_cast<std::size_t>(bytes) / sizeof(proc_fdinfo));
    bytes = ::proc_pidinfo(pid, PROC_PIDLISTFDS, 0, fds.data(), static_cast<int>(fds.size() * sizeof(proc_fdinfo)));
    if (bytes <= 0) return std::nullopt;
    fds.resize(static_cast<std::size_t>(bytes) / sizeof(proc_fdinfo));
    std::vector<int> numbers;
    for (const auto& fd : fds) numbers.push_back(fd.proc_fd);
    return numbers;
}

namespace {
std::optional<rusage_info_v2> rusage_of(pid_t pid) {
    rusage_info_v2 info{};
    if (::proc_pid_rusage(pid, RUSAGE_INFO_V2, reinterpret_cast<rusage_info_t*>(&info)) != 0)
        return std::nullopt;
    return info;
}
}  // namespace

std::optional<double> cpu_seconds(pid_t pid) {
    auto info = rusage_of(pid);
    if (!info) return std::nullopt;
    // Mach time units: nanoseconds on Intel Macs, 125/3 ns on Apple silicon.
    mach_timebase_info_data_t timebase{};
    ::mach_timebase_info(&timebase);
    double ticks = static_cast<double>(info->ri_user_time + info->ri_system_time + info->ri_child_user_time +
                                       info->ri_child_system_time);
    return ticks * timebase.numer / timebase.denom / 1e9;
}

std::optional<long> resident_kib(pid_t pid) {
    auto info = rusage_of(pid);
    if (!info) return std::nullopt;
    return static_cast<long>(info->ri_resident_size / 1024);
}

std::optional<std::size_t> thread_count(pid_t pid) {
    proc_taskinfo info{};
    if (::proc_pidinfo(pid, PROC_PIDTASKINFO, 0, &info, sizeof info) != static_cast<int>(sizeof info))
        return std::nullopt;
    return static_cast<std::size_t>(info.pti_threadnum);
}

#else

// Linux: /proc/<pid>/fd holds one entry per descriptor, named by its number.
std::optional<std::vector<int>> descriptor_numbers(pid_t pid) {
    auto dir = std::filesystem::path("/proc") / std::to_string(pid) / "fd";
    std::error_code error;
    std::filesystem::directory_iterator entries(dir, error);
    if (error) return std::nullopt;
    std::vector<int> numbers;
    for (const auto& entry : entries) numbers.push_back(std::stoi(entry.path().filename().string()));
    return numbers;
}

std::optional<double> cpu_seconds(pid_t pid) {
    std::ifstream stat(std::filesystem::path("/proc") / std::to_string(pid) / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), {});
    // Fields 14 to 17 (utime, stime, cutime, cstime, in clock ticks) follow
    // the ")" that ends the command name, which may itself hold spaces.
    auto close = text.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(text.substr(close + 2));
    std::string skip;
    for (int field = 3; field < 14; ++field) fields >> skip;
    double user = 0, system = 0, children_user = 0, children_system = 0;
    if (!(fields >> user >> system >> children_user >> children_system)) return std::nullopt;
    return (user + system + children_user + children_system) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::optional<long> resident_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string key; status >> key;) {
        if (key == "VmRSS:") {
            long kib = 0;
            status >> kib;
            return kib;
        }
        status.ignore(4096, '\n');
    }
    return std::nullopt;
}

// /proc/<pid>/task holds one entry per thread.
std::optional<std::size_t> thread_count(pid_t pid) {
    std::error_code error;
    std::filesystem::directory_iterator entries(std::filesystem::path("/proc") / std::to_string(pid) / "task", error);
    if (error) return std::nullopt;
    return static_cast<std::size_t>(std::distance(entries, std::filesystem::directory_iterator()));
}

#endif

std::vector<std::string> command_for(const std::filesystem::path& program) {
    std::vector<std::string> words;
    if (program.parent_path() == std::filesystem::path(WORKSHOP_BIN_DIR) && !is_script(program))
        words = server_launcher();
    words.push_back(program.string());
    return words;
}

std::optional<std::size_t> open_descriptors(pid_t pid) {
    auto numbers = descriptor_numbers(pid);
    if (!numbers) return std::nullopt;
    return numbers->size();
}

rlim_t raise_descriptor_limit(rlim_t wanted) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    if (limit.rlim_cur >= wanted) return limit.rlim_cur;
    rlim_t ceiling = limit.rlim_max;
#if defined(__APPLE__)
    // macOS reports an unlimited hard limit but refuses more than
    // kern.maxfilesperproc descriptors per process.
    int per_process = 0;
    std::size_t size = sizeof per_process;
    if (::sysctlbyname("kern.maxfilesperproc", &per_process, &size, nullptr, 0) == 0 && per_process > 0)
        ceiling = std::min(ceiling, static_cast<rlim_t>(per_process));
#endif
    rlim_t was = limit.rlim_cur;
    limit.rlim_cur = std::max(was, std::min(wanted, ceiling));
    return ::setrlimit(RLIMIT_NOFILE, &limit) == 0 ? limit.rlim_cur : was;
}

std::optional<std::filesystem::path> find_program(std::string_view name) {
    const char* path = std::getenv("PATH");
    std::string dirs = std::string(path ? path : "") + ":/usr/sbin:/sbin:/usr/local/sbin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        std::size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        std::filesystem::path dir = dirs.substr(start, end - start);
        if (!dir.empty()) {
            auto candidate = dir / name;
            if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        }
        start = end + 1;
    }
    return std::nullopt;
}

int free_port() {
    socket_fd fd(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in addr = loopback(0);
    socklen_t len = sizeof addr;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0)
        throw std::runtime_error("cannot find a free port");
    return ntohs(addr.sin_port);
}

started_command start_command(const std::filesystem::path& program, const std::vector<std::string>& args) {
    auto out = temp_file("out"), err = temp_file("err");
    return {spawn(program, args, out, err), out, err};
}

run_result finish_command(const started_command& command, std::chrono::milliseconds limit) {
    run_result result;
    auto status = wait_for_exit(command.pid, limit);
    if (!status) {
        result.timed_out = true;
        ::kill(command.pid, SIGKILL);
        status = wait_for_exit(command.pid, 10s);
    }
    if (status) result.exit_code = exit_code(*status).value_or(-1);
    result.out = read_file(command.out);
    result.err = read_file(command.err);
    std::filesystem::remove(command.out);
    std::filesystem::remove(command.err);
    return result;
}

run_result run_command(const std::filesystem::path& program,
                       const std::vector<std::string>& args,
                       std::chrono::milliseconds limit) {
    return finish_command(start_command(program, args), limit);
}

server_process::server_process(const std::filesystem::path& program,
                               const std::vector<std::string>& args, int port)
    : port_(port), stderr_file_(temp_file("server")) {
    start(program, args);
}

void server_process::start(const std::filesystem::path& program,
                           const std::vector<std::string>& args) {
    pid_ = spawn(program, args, "/dev/null", stderr_file_);
    try {
        // Generous: the ARM64 original starts under an emulator.
        wait_until_accepting(20s);
    } catch (...) {
        stop(SIGKILL);
        std::filesystem::remove(stderr_file_);
        throw;
    }
}

server_process::~server_process() {
    stop(SIGTERM);
    std::filesystem::remove(stderr_file_);
}

bool server_process::running() {
    if (!status_) status_ = wait_for_exit(pid_, 0ms);
    return !status_;
}

std::optional<int> server_process::stop(int signal, std::chrono::milliseconds limit) {
    if (running()) {
        ::kill(pid_, signal);
        status_ = wait_for_exit(pid_, limit);
        if (!status_) {
            ::kill(pid_, SIGKILL);
            status_ = wait_for_exit(pid_, 10s);
            return std::nullopt;  // it did not exit of its own accord
        }
    }
    return exit_code(*status_);
}

std::optional<int> server_process::wait(std::chrono::milliseconds limit) {
    if (!status_) status_ = wait_for_exit(pid_, limit);
    return status_ ? exit_code(*status_) : std::nullopt;
}

std::string server_process::error_output() const { return read_file(stderr_file_); }

void server_process::wait_until_accepting(std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!running())
            throw std::runtime_error("server exited before accepting: " + error_output());
        // The probe connection is closed at once; every stage copes with that.
        if (connect_to(port_).get() >= 0) return;
        std::this_thread::sleep_for(10ms);
    }
    throw std::runtime_error("server did not accept connections within the time limit");
}

}  // namespace workshop
