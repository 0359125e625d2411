// The table of stages: one row per server binary, with the capabilities its
// row in README.md's table promises. Every test runs against one row, chosen
// with --stage; a test of a capability the stage lacks asserts the stage's
// documented behaviour instead (the lesson), it is never silently skipped.
#pragma once

#include "support/process.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace workshop {

struct stage {
    std::string_view name;           // bin/<name>; the value of --stage
    std::string_view missing_hint;   // why the binary may be absent
    bool reads_request = false;      // reads the head, so closes with FIN not RST
};

const std::vector<stage>& all_stages();

// The row chosen on the command line.
const stage& current_stage();
void choose_stage(std::string_view name);  // throws for an unknown name

// Starts the current stage's server; SKIPs the test, saying what to
// install, when this machine could not build that stage.
std::unique_ptr<server_process> start_server(std::vector<std::string> args = {});

// The article's 172 bytes, from tests/golden/response.http.
const std::string& golden_response();

}  // namespace workshop
