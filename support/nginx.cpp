#include "support/nginx.hpp"

#include "support/golden.hpp"

#include <csignal>
#include <fstream>
#include <pwd.h>
#include <string_view>
#include <unistd.h>

namespace workshop {
namespace {

// Every file nginx writes stays in its directory (@DIR@). One worker per
// core, as nginx advises for production; the idle connections a benchmark
// holds (10,000 at most, bench.hpp's held_counts) may all land on one of them. Only a root master switches its
// workers to another user (by default nobody, who could not read the
// directory), so as root it is told to stay root (@USER@). Kept connections
// are neither cut after a count of requests nor closed idle within a minute.
constexpr std::string_view config = R"(daemon off;
@USER@
worker_processes auto;
worker_rlimit_nofile 25000;
pid @DIR@/nginx.pid;
error_log @DIR@/error.log warn;
events { worker_connections 20000; }
http {
    access_log off;
    keepalive_requests 1000000000;
    keepalive_timeout 60s;
    client_body_temp_path @DIR@/client_body;
    proxy_temp_path @DIR@/proxy;
    fastcgi_temp_path @DIR@/fastcgi;
    uwsgi_temp_path @DIR@/uwsgi;
    scgi_temp_path @DIR@/scgi;
    server {
        listen 127.0.0.1:@PORT@;
        root @DIR@/www;
        default_type text/html;
        charset utf-8;
    }
}
)";

// Writes the page and the configuration; nginx's arguments.
std::vector<std::string> configure(int port) {
    std::string dir = reference_directory("nginx", port).string(), user;
    write_page(dir);
    if (::geteuid() == 0)
        if (const passwd* me = ::getpwuid(::geteuid())) user = std::string("user ") + me->pw_name + ";";
    std::string text = replace_all(replace_all(std::string(config), "@USER@", user), "@DIR@", dir);
    std::ofstream(dir + "/nginx.conf") << replace_all(text, "@PORT@", std::to_string(port));
    return {"-p", dir, "-e", dir + "/error.log", "-c", dir + "/nginx.conf"};
}

}  // namespace

nginx_server::nginx_server(const std::filesystem::path& program, int port) try
    : server_process(program, configure(port), port) {
} catch (...) {
    std::error_code ignored;
    std::filesystem::remove_all(reference_directory("nginx", port), ignored);
}

nginx_server::~nginx_server() {
    stop(SIGTERM);
    std::error_code ignored;
    std::filesystem::remove_all(reference_directory("nginx", port()), ignored);
}

std::unique_ptr<nginx_server> start_nginx() {
    auto program = find_program("nginx");
    if (!program) return nullptr;
    return std::make_unique<nginx_server>(*program);
}

std::filesystem::path reference_directory(std::string_view server, int port) {
    return std::filesystem::temp_directory_path() / ("workshop-" + std::string(server) + "-" + std::to_string(port));
}

void write_page(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir / "www");
    const std::string& golden = golden_response();
    std::ofstream(dir / "www/index.html", std::ios::binary) << golden.substr(golden.find("\r\n\r\n") + 4);
}

}  // namespace workshop
