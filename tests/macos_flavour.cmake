# Assembles stage 01 for macOS (arm64 and x86_64) and checks that each Mach-O
# object defines _http_asm_serve and calls the libSystem functions the
# article names. Run by CTest: cmake -DCLANG=… -DNM=… -DSOURCE_DIR=… -DWORK_DIR=… -P macos_flavour.cmake
if(NOT CLANG OR NOT NM)
  message("SKIPPED: needs clang and llvm-nm (Debian: apt-get install clang llvm)")
  return()
endif()

set(calls _socket _setsockopt _bind _listen _accept _write _close)

foreach(flavour "arm64-apple-macos:http_server_arm64.S" "x86_64-apple-macos:http_server_x86_64.S")
  string(REPLACE ":" ";" flavour "${flavour}")
  list(GET flavour 0 target)
  list(GET flavour 1 source)
  set(object ${WORK_DIR}/${target}.o)

  execute_process(
    COMMAND ${CLANG} -target ${target} -c ${SOURCE_DIR}/${source} -o ${object}
    RESULT_VARIABLE failed ERROR_VARIABLE errors)
  if(failed)
    message(FATAL_ERROR "${source} does not assemble for ${target}:\n${errors}")
  endif()

  execute_process(COMMAND ${NM} ${object} OUTPUT_VARIABLE symbols RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "${NM} cannot read ${object}")
  endif()

  # llvm-nm prints "U _socket" for a call and "T _http_asm_serve" for the export.
  foreach(call IN LISTS calls)
    if(NOT symbols MATCHES "U ${call}\n")
      message(FATAL_ERROR "${target}: ${source} does not call ${call}:\n${symbols}")
    endif()
  endforeach()
  if(NOT symbols MATCHES "T _http_asm_serve\n")
    message(FATAL_ERROR "${target}: ${source} does not export _http_asm_serve:\n${symbols}")
  endif()
  message("${target}: ${source} exports _http_asm_serve and calls ${calls}")
endforeach()
