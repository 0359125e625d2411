# The stages and their servers, for the build, the tests and the benchmark.

# workshop_read_stages(): reads the list of stages, stages.txt at the top
# of the source tree, and appends to the global property WORKSHOP_STAGES
# each folder that the platform being built for (CMAKE_SYSTEM_NAME) builds.
# The packages are ./workshop's to install. The rule, the same as
# ./workshop's: a blank line or one whose first character other than a space
# or tab is # is skipped; any other line is five fields (folder platforms
# debian arm64 brew) with no # in it, or the configure stops, naming it.
# An edit to the file reconfigures the build.
function(workshop_read_stages)
  set(file ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/../stages.txt)
  cmake_path(NORMAL_PATH file)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
  file(READ ${file} text)
  # A ';' would split CMake's list of lines: it becomes a byte no field allows.
  string(ASCII 1 semicolon)
  string(REPLACE ";" "${semicolon}" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(number 0)
  set(packages "^(-|[A-Za-z0-9.+_:@-]+(,[A-Za-z0-9.+_:@-]+)*)$")
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    if(line MATCHES "^[ \t]*(#|$)")
      continue()
    endif()
    string(REPLACE "${semicolon}" ";" shown "${line}")
    set(where "${file}:${number}: '${shown}'")
    if(line MATCHES "#")
      message(FATAL_ERROR "${where}: a comment goes on a line of its own")
    endif()
    string(STRIP "${line}" fields)
    string(REGEX REPLACE "[ \t]+" ";" fields "${fields}")
    list(LENGTH fields count)
    if(NOT count EQUAL 5)
      message(FATAL_ERROR "${where}: ${count} fields, expected 5 (folder platforms debian arm64 brew)")
    endif()
    list(GET fields 0 folder)
    list(GET fields 1 platforms)
    if(NOT folder MATCHES "^[0-9][0-9]-[a-z0-9-]+$")
      message(FATAL_ERROR "${where}: folder '${folder}' is not NN-idea")
    endif()
    if(NOT platforms MATCHES "^(all|linux)$")
      message(FATAL_ERROR "${where}: platforms '${platforms}', expected all or linux")
    endif()
    foreach(index 2 3 4)
      list(GET fields ${index} column)
      if(NOT column MATCHES "${packages}")
        message(FATAL_ERROR "${where}: packages '${column}', expected - or names separated by commas")
      endif()
    endforeach()
    if(platforms STREQUAL "all" OR CMAKE_SYSTEM_NAME STREQUAL "Linux")
      set_property(GLOBAL APPEND PROPERTY WORKSHOP_STAGES ${folder})
    endif()
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
