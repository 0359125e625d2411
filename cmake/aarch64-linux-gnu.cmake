# ARM64 Linux, cross-built on an x86-64 Debian/Ubuntu machine (the arm64
# preset). Debian's cross compilers and their ARM64 libraries come from
# apt (g++-aarch64-linux-gnu); Catch2 for ARM64 is unpacked, not installed,
# into build-arm64/sysroot by ./workshop: its arm64 package would replace
# the x86-64 one the native build needs.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_ASM_COMPILER aarch64-linux-gnu-gcc)

set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu ${CMAKE_CURRENT_LIST_DIR}/../build-arm64/sysroot)
# Programs (qemu, clang, llvm-nm) are the host's; libraries, headers and
# CMake packages only ARM64 ones.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Test programs and the servers they start run under qemu's user mode;
# -L: where the ARM64 dynamic loader and libraries are.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)
