# Fails, naming them, when the harness has test cases that no capability of
# tests/CMakeLists.txt selects: CTest would never run them. A cross build's
# harness runs through its EMULATOR (words separated by spaces; empty: none).
separate_arguments(EMULATOR)
execute_process(COMMAND ${EMULATOR} ${HARNESS} --list-tests "${FILTER}"
                OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT out MATCHES "([0-9]+) matching test case")
  message(FATAL_ERROR "harness --list-tests said:\n${out}")
endif()
if(NOT CMAKE_MATCH_1 EQUAL 0)
  message(FATAL_ERROR "test cases in no capability (add their tag to `capabilities` in tests/CMakeLists.txt):\n${out}")
endif()
