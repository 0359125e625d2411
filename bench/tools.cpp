#include "tools.hpp"

#include <cstdlib>
#include <string>
#include <unistd.h>

namespace bench {

std::optional<std::filesystem::path> find_tool(std::string_view name) {
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

}  // namespace bench
