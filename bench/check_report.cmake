# The benchmark's smoke test (cmake -P): runs the quick mode, then checks
# what it wrote, never a speed: report.md has every scenario's table, with
# its TCP segments column and a row for every server in bin/ and for nginx,
# the dropped-connection check, both sweeps' tables, every goal, and the
# three charts are PNGs.
cmake_minimum_required(VERSION 3.25)  # IN_LIST
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

# The section under heading `title`: from it to the next heading.
function(section title out)
  string(FIND "${report}" "\n## ${title}\n" start)
  if(start EQUAL -1)
    message(FATAL_ERROR "report.md has no section \"## ${title}\"")
  endif()
  math(EXPR start "${start} + 1")
  string(SUBSTRING "${report}" ${start} -1 rest)
  string(FIND "${rest}" "\n## " end)
  string(SUBSTRING "${rest}" 0 ${end} rest)
  set(${out} "${rest}" PARENT_SCOPE)
endfunction()

function(expect_in title text what)
  string(FIND "${text}" "${what}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "report.md: no \"${what}\" under \"## ${title}\"")
  endif()
endfunction()

# bin/ holds nothing but servers; a script among them runs one emulated,
# which the sweeps leave out.
file(GLOB servers RELATIVE ${BIN_DIR} ${BIN_DIR}/*)
set(native nginx)
foreach(server IN LISTS servers)
  file(READ ${BIN_DIR}/${server} start LIMIT 2 HEX)
  if(NOT start STREQUAL "2321")  # "#!"
    list(APPEND native ${server})
  endif()
endforeach()
list(APPEND servers nginx)

foreach(scenario "one client" "32 clients" "32 clients + 16 stalled")
  section("${scenario}" text)
  expect_in("${scenario}" "${text}" "| TCP segments per request |")
  foreach(server IN LISTS servers)
    expect_in("${scenario}" "${text}" "| ${server} |")
  endforeach()
  section("Dropped connections, counted twice" text)
  foreach(server IN LISTS servers)
    expect_in("Dropped connections" "${text}" "| ${server} | ${scenario} |")
  endforeach()
endforeach()

section("How throughput grows with clients" text)
expect_in("clients" "${text}" "| server | 1 | 4 | 16 | 64 | 256 |")
foreach(server IN LISTS native)
  expect_in("clients" "${text}" "| ${server} |")
endforeach()

# The rows that serve concurrently (bench/results.hpp) and are in bin/.
section("What idle connections cost" text)
foreach(server 04-threaded 05-event-loop 06-coroutines nginx)
  if(server IN_LIST servers)
    foreach(held 0 "1,000" "10,000")
      expect_in("idle" "${text}" "| ${server} | ${held} |")
    endforeach()
  endif()
endforeach()

section("Goals" text)
foreach(id RANGE 1 9)
  expect_in("Goals" "${text}" "| G${id} |")
endforeach()

foreach(name throughput clients idle)
  set(chart ${OUT_DIR}/${name}.png)
  if(NOT EXISTS ${chart})
    message(FATAL_ERROR "no chart: ${chart}")
  endif()
  file(READ ${chart} signature LIMIT 8 HEX)
  if(NOT signature STREQUAL "89504e470d0a1a0a")
    message(FATAL_ERROR "${chart} is not a PNG (starts with ${signature})")
  endif()
  string(FIND "${report}" "](${name}.png)" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "report.md does not show ${name}.png")
  endif()
endforeach()
list(LENGTH servers rows)
message("report.md: ${rows} rows in each scenario, both sweeps, 9 goals; 3 PNG charts")
