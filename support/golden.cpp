#include "golden.hpp"

#include <fstream>
#include <sstream>

namespace workshop {

const std::string& golden_response() {
    static const std::string bytes = [] {
        std::ifstream in(WORKSHOP_GOLDEN_FILE, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        return text.str();
    }();
    return bytes;
}

}  // namespace workshop
