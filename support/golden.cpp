#include "golden.hpp"

#include <fstream>
#include <sstream>
#include <string_view>

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

namespace {
std::string with_connection_line(std::string_view line) {
    std::string bytes = golden_response();
    const std::string close = "Connection: close\r\n";
    return bytes.replace(bytes.find(close), close.size(), line);
}
}  // namespace

const std::string& kept_response() {
    static const std::string bytes = with_connection_line("");
    return bytes;
}

const std::string& keep_alive_response() {
    static const std::string bytes = with_connection_line("Connection: keep-alive\r\n");
    return bytes;
}

std::string head_of(const std::string& response) {
    return response.substr(0, response.find("\r\n\r\n") + 4);
}

}  // namespace workshop
