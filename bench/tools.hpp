// Finding the outside programs the benchmark drives (nginx, wrk, strace,
// valgrind, strip, gnuplot). Each is optional: a missing tool leaves its
// rows or figures marked "not installed", it never stops the run.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

namespace bench {

// `name` on PATH, or in the sbin directories where Debian puts nginx
// (they are not on an ordinary user's PATH): the tests' find_program.
std::optional<std::filesystem::path> find_tool(std::string_view name);

}  // namespace bench
