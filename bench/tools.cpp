#include "tools.hpp"

#include "support/process.hpp"

namespace bench {

std::optional<std::filesystem::path> find_tool(std::string_view name) {
    return workshop::find_program(name);
}

}  // namespace bench
