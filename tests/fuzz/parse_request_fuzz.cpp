// libFuzzer target for stage 03's request parser: any bytes, no crash, no
// sanitizer report, and the invariants of parser_invariants.hpp. Built and
// run by tests/fuzz/run.
#include "parser_invariants.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    if (std::string broken = fuzz::check_parser_invariants(bytes); !broken.empty()) {
        std::fprintf(stderr, "parser invariant broken: %s\n", broken.c_str());
        std::abort();  // libFuzzer saves the input as crash-<hash>
    }
    return 0;
}
