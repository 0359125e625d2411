#pragma once

#include <string>

namespace workshop {

// The article's 172 bytes, stored once in support/golden.http.
const std::string& golden_response();

}  // namespace workshop
