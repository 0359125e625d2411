// nginx, started for a test to compare with: on a free loopback port, in a
// directory of its own, serving the stages' page as index.html. So it
// answers GET / and HEAD / with the page, 404 for any other path and 405
// for methods a static file does not take, as a production server would.
#pragma once

#include "support/process.hpp"

#include <filesystem>
#include <memory>

namespace workshop {

class nginx_server {
public:
    explicit nginx_server(const std::filesystem::path& program);  // throws when it does not start
    nginx_server(const nginx_server&) = delete;
    nginx_server& operator=(const nginx_server&) = delete;
    ~nginx_server();  // stops it and removes its directory

    int port() const { return process_->port(); }

private:
    std::filesystem::path dir_;
    std::unique_ptr<server_process> process_;
};

// nginx started, or nullptr when it is not installed here.
std::unique_ptr<nginx_server> start_nginx();

}  // namespace workshop
