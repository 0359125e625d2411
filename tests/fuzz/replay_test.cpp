// Replays the fuzzing corpus and every input the fuzzer ever found a fault
// with through the same invariants, in the ordinary test run.
#include "parser_invariants.hpp"

#include <catch2/catch_test_macros.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

TEST_CASE("the parser keeps its invariants on every saved input", "[parser][fuzz]") {
    int replayed = 0;
    for (const char* dir : {"corpus", "regressions"}) {
        for (const auto& entry : fs::directory_iterator(fs::path(FUZZ_DIR) / dir)) {
            if (entry.path().filename() == "README") continue;
            std::ifstream in(entry.path(), std::ios::binary);
            std::ostringstream bytes;
            bytes << in.rdbuf();
            INFO(entry.path().string());
            CHECK(fuzz::check_parser_invariants(bytes.str()) == "");
            ++replayed;
        }
    }
    CHECK(replayed >= 8);
}
