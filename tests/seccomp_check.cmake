# Stage 07 as a default container runs it: under LAUNCHER (seccomp_launcher,
# io_uring's three calls refused with EPERM).
#  - 07-io-uring --port N says why in one line, naming the fix, and exits
#    non-zero;
#  - every CTest row of 07 (the harness with one capability's tag, run
#    under the filter as a whole, so no server launcher of the build is
#    what lets it skip) reports itself skipped with that line: exit 4, CTest's
#    SKIP_RETURN_CODE for the rows, never a failure, never a pass.
# Arguments: -DLAUNCHER= -DHARNESS= -DSERVER= -DROWS=a|b|c
string(REPLACE "|" ";" ROWS "${ROWS}")
if(NOT EXISTS "${SERVER}")
  message("SKIPPED: ${SERVER} was not built here (stage 07 needs liburing)")
  return()
endif()

set(fix "--security-opt seccomp=unconfined")
set(failures "")

execute_process(COMMAND ${LAUNCHER} ${SERVER} --port 18585
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
string(STRIP "${err}" line)
string(FIND "${line}" "\n" newline)
if(rc EQUAL 0 OR NOT newline EQUAL -1 OR NOT line MATCHES "io_uring is not available here"
   OR NOT line MATCHES "seccomp=unconfined" OR NOT line MATCHES "io_uring_setup, io_uring_enter and io_uring_register")
  list(APPEND failures "07-io-uring --port 18585 under the filter: exit ${rc}, stderr:\n${err}")
else()
  message("07-io-uring under the filter, exit ${rc}: ${line}")
endif()

foreach(row IN LISTS ROWS)
  execute_process(COMMAND ${LAUNCHER} ${HARNESS} --stage 07-io-uring --server ${SERVER} "[${row}]"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
  if(NOT rc EQUAL 4 OR NOT out MATCHES "SKIPPED: [^\n]*io_uring is not available here[^\n]*seccomp=unconfined")
    list(APPEND failures "07-io-uring:${row} under the filter: exit ${rc} (4 is a skip), output:\n${out}${err}")
  endif()
endforeach()
list(LENGTH ROWS count)

if(failures)
  list(JOIN failures "\n" failures)
  message(FATAL_ERROR "${failures}")
endif()
message("${count} rows of 07-io-uring under the filter: each skipped, naming ${fix}")
