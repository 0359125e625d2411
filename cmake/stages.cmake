# The stages and their servers, for the build, the tests and the benchmark.

# WORKSHOP_STAGES: the folders of stages.txt that the platform being built
# for (CMAKE_SYSTEM_NAME) builds, in order.
function(workshop_read_stages)
  file(STRINGS ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/../stages.txt lines REGEX "^[0-9]")
  set(stages "")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "[ \t]+" ";" fields "${line}")
    list(GET fields 0 folder)
    list(GET fields 1 platforms)
    if(platforms STREQUAL "all" OR (platforms STREQUAL "linux" AND CMAKE_SYSTEM_NAME STREQUAL "Linux"))
      list(APPEND stages ${folder})
    elseif(NOT platforms STREQUAL "linux")
      message(FATAL_ERROR "stages.txt: ${folder} has platforms '${platforms}' (expected all or linux)")
    endif()
  endforeach()
  set(WORKSHOP_STAGES ${stages} PARENT_SCOPE)
endfunction()

# A server row of the harness and the benchmark: its name, its label and the
# program that runs it. Each stage's own server is one; a stage may add more
# (01 adds its translated twin).
function(workshop_server name label program)
  set_property(GLOBAL APPEND PROPERTY WORKSHOP_SERVERS "${name}|${label}|${program}")
endfunction()

# Writes ${PROJECT_BINARY_DIR}/servers.txt, the rows in order, one per line:
# name, label and program, separated by tabs.
function(workshop_write_servers)
  get_property(servers GLOBAL PROPERTY WORKSHOP_SERVERS)
  set(text "# name\tlabel\tprogram: the servers of this build (cmake/stages.cmake)\n")
  foreach(server IN LISTS servers)
    string(REPLACE "|" "\t" server "${server}")
    string(APPEND text "${server}\n")
  endforeach()
  file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/servers.txt CONTENT "${text}")
endfunction()
