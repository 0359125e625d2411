// nginx, started to compare with: on a free loopback port, in a directory of
// its own, serving the stages' page as index.html, with one worker per core
// and room for the benchmark's 10,000 idle connections. So it answers GET /
// and HEAD / with the page, 404 for any other path and 405 for methods a
// static file does not take, as nginx deployed in production would.
#pragma once

#include "support/process.hpp"

#include <filesystem>
#include <memory>
#include <string_view>

namespace workshop {

class nginx_server : public server_process {
public:
    // Throws when it does not start.
    nginx_server(const std::filesystem::path& program, int port = free_port());
    ~nginx_server() override;  // stops it and removes its directory
};

// nginx started, or nullptr when it is not installed here.
std::unique_ptr<nginx_server> start_nginx();

// Where a reference server (nginx, h2o) on `port` keeps its files, and the
// page it serves there: the golden response's body as www/index.html.
std::filesystem::path reference_directory(std::string_view server, int port);
void write_page(const std::filesystem::path& dir);

}  // namespace workshop
