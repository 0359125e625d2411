# The benchmark's smoke test (cmake -P): runs the quick mode, then checks
# what it wrote, never a speed: report.md has every scenario's table, each
# with a row for every server in bin/ and for nginx, and the chart is a PNG.
# Expects -DBENCH=<http_bench> -DBIN_DIR=<build/bin> -DOUT_DIR=<where to write>.

# ./workshop test installs these; a bare ctest on another machine may lack them.
find_program(GNUPLOT gnuplot)
find_program(NGINX nginx PATHS /usr/sbin /sbin /usr/local/sbin)
if(NOT GNUPLOT OR NOT NGINX)
  message("SKIPPED: the benchmark needs gnuplot and nginx; ./workshop test installs them")
  return()
endif()

execute_process(COMMAND ${BENCH} --quick --out-dir ${OUT_DIR}
  RESULT_VARIABLE status TIMEOUT 80)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "http_bench --quick failed: ${status}")
endif()

file(READ ${OUT_DIR}/report.md report)
# bin/ holds nothing but servers.
file(GLOB servers RELATIVE ${BIN_DIR} ${BIN_DIR}/*)
list(APPEND servers nginx)

foreach(scenario "one client" "32 clients" "32 clients + 16 stalled")
  # The scenario's section: from its heading to the next one.
  string(FIND "${report}" "\n## ${scenario}\n" start)
  if(start EQUAL -1)
    message(FATAL_ERROR "report.md has no section \"## ${scenario}\"")
  endif()
  math(EXPR start "${start} + 1")
  string(SUBSTRING "${report}" ${start} -1 section)
  string(FIND "${section}" "\n## " end)
  string(SUBSTRING "${section}" 0 ${end} section)
  foreach(server IN LISTS servers)
    string(FIND "${section}" "| ${server} |" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "report.md: no row for ${server} under \"${scenario}\"")
    endif()
  endforeach()
endforeach()

set(chart ${OUT_DIR}/throughput.png)
if(NOT EXISTS ${chart})
  message(FATAL_ERROR "no chart: ${chart}")
endif()
file(READ ${chart} signature LIMIT 8 HEX)
if(NOT signature STREQUAL "89504e470d0a1a0a")
  message(FATAL_ERROR "${chart} is not a PNG (starts with ${signature})")
endif()
list(LENGTH servers rows)
message("report.md: ${rows} rows in each of 3 scenarios; ${chart} is a PNG")
