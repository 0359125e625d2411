#pragma once

#include <string>

namespace workshop {

// The article's 172 bytes, stored once in support/golden.http.
const std::string& golden_response();

// The same answer on a connection that stays open: without its
// Connection: close line (08), or with Connection: keep-alive in its place
// (08, to an HTTP/1.0 client that asked to keep it).
const std::string& kept_response();
const std::string& keep_alive_response();

// The head of a response, up to its blank line: what HEAD gets.
std::string head_of(const std::string& response);

}  // namespace workshop
