#include "support/nginx.hpp"

#include "support/golden.hpp"

#include <fstream>
#include <pwd.h>
#include <unistd.h>

namespace workshop {
namespace {

// Every file nginx writes stays in `dir`. Only a root master switches its
// workers to another user (by default nobody, who could not read `dir`),
// so as root it is told to stay root.
std::string config(const std::filesystem::path& dir, int port) {
    std::string d = dir.string(), user;
    if (::geteuid() == 0)
        if (const passwd* me = ::getpwuid(::geteuid())) user = std::string("user ") + me->pw_name + ";\n";
    return "daemon off;\n" + user + "worker_processes 1;\npid " + d + "/nginx.pid;\nerror_log " + d +
           "/error.log warn;\nevents { worker_connections 64; }\nhttp {\n  access_log off;\n"
           "  client_body_temp_path " + d + "/client_body;\n  proxy_temp_path " + d + "/proxy;\n"
           "  fastcgi_temp_path " + d + "/fastcgi;\n  uwsgi_temp_path " + d + "/uwsgi;\n"
           "  scgi_temp_path " + d + "/scgi;\n"
           "  server {\n    listen 127.0.0.1:" + std::to_string(port) + ";\n    root " + d +
           "/www;\n    default_type text/html;\n    charset utf-8;\n  }\n}\n";
}

}  // namespace

nginx_server::nginx_server(const std::filesystem::path& program) {
    int port = free_port();
    dir_ = std::filesystem::temp_directory_path() / ("workshop-nginx-" + std::to_string(port));
    std::filesystem::create_directories(dir_ / "www");
    try {
        const std::string& golden = golden_response();
        std::ofstream(dir_ / "www" / "index.html", std::ios::binary) << golden.substr(golden.find("\r\n\r\n") + 4);
        std::ofstream(dir_ / "nginx.conf") << config(dir_, port);
        process_ = std::make_unique<server_process>(
            program, std::vector<std::string>{"-p", dir_.string(), "-e", (dir_ / "error.log").string(), "-c",
                                              (dir_ / "nginx.conf").string()},
            port);
    } catch (...) {
        std::filesystem::remove_all(dir_);
        throw;
    }
}

nginx_server::~nginx_server() {
    process_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::unique_ptr<nginx_server> start_nginx() {
    auto program = find_program("nginx");
    if (!program) return nullptr;
    return std::make_unique<nginx_server>(*program);
}

}  // namespace workshop
