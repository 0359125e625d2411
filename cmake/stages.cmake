# The stages and their servers, for the build, the tests and the benchmark.

# workshop_stage(FOLDER PLATFORMS DEBIAN ARM64 BREW): a line of the list of
# stages in the top-level CMakeLists.txt. Appends FOLDER to the global
# property WORKSHOP_STAGES when the platform being built for
# (CMAKE_SYSTEM_NAME) builds it; the packages are ./workshop's to install.
function(workshop_stage folder platforms debian arm64 brew)
  if(platforms STREQUAL "all" OR (platforms STREQUAL "linux" AND CMAKE_SYSTEM_NAME STREQUAL "Linux"))
    set_property(GLOBAL APPEND PROPERTY WORKSHOP_STAGES ${folder})
  elseif(NOT platforms STREQUAL "linux")
    message(FATAL_ERROR "stage ${folder}: platforms '${platforms}' (expected all or linux)")
  endif()
endfunction()

# The same list read as text, for a project that cannot run the top-level
# CMakeLists.txt (macos-build): each of its workshop_stage lines, called.
function(workshop_read_stages)
  file(STRINGS ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/../CMakeLists.txt lines REGEX "^workshop_stage\\(")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^workshop_stage\\(|\\)$" "" line "${line}")
    string(REGEX REPLACE "[ \t]+" ";" fields "${line}")
    workshop_stage(${fields})
  endforeach()
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
