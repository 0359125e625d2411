// http_server_x86_64.S
// The ARM64 program of http_server_arm64.S translated block by block to
// x86-64, label for label, so the two files read side by side.
//
// System V AMD64, the x86-64 calling convention (Linux and macOS):
//   rdi, rsi, rdx, rcx, r8, r9  arguments; rax the return value
//   rbx, rbp, r12-r15           callee-saved: restored before returning
//   rsp                         16-byte aligned at every call; the call pushes
//                               the return address (ARM64 keeps it in x30)
// Here rbx plays x19 (server fd) and r12 plays x20 (client fd).

#if defined(__APPLE__)
// Mach-O prefixes C symbols with '_'; calls go straight to the symbol.
#define SYM(name)  _##name
#define CALL(name) call _##name
#else
// ELF uses C names as they are; calls into libc go through the PLT.
#define SYM(name)  name
#define CALL(name) call name@PLT
#endif

        .text
        .globl SYM(http_asm_serve)

        // The same libc functions as the ARM64 file.
        .extern SYM(socket)
        .extern SYM(setsockopt)
        .extern SYM(bind)
        .extern SYM(listen)
        .extern SYM(accept)
        .extern SYM(write)
        .extern SYM(close)

// ------------------------------------------------------------
// Constants
// ------------------------------------------------------------
        .equ AF_INET, 2
        .equ SOCK_STREAM, 1
#if defined(__APPLE__)
        // BSD values (sys/socket.h)
        .equ SOL_SOCKET, 0xffff
        .equ SO_REUSEADDR, 0x0004
#else
        // Linux values (asm-generic/socket.h)
        .equ SOL_SOCKET, 1
        .equ SO_REUSEADDR, 2
#endif

        .equ RESP_LEN, 172
        .equ ADDR_LEN, 16
        .equ BACKLOG, 16

        // What http_asm_serve returns: the call that failed
        .equ STEP_SOCKET, 1
        .equ STEP_SETSOCKOPT, 2
        .equ STEP_BIND, 3
        .equ STEP_LISTEN, 4

// ------------------------------------------------------------
// int http_asm_serve(int port)
//                    edi
// Returns only on failure: STEP_* in eax, errno as the failed call left it.
// Uses rbx (server fd) and r12 (client fd), so saves them with rbp.
// ------------------------------------------------------------
#if !defined(__APPLE__)
        .type http_asm_serve, @function
#endif
// tutorial: x86-64-prologue
SYM(http_asm_serve):
        push %rbp                       // 8 (return address) + 3 pushes of 8:
        push %rbx                       //   rsp is 16-byte aligned again
        push %r12

        // sin_port = port, swapped to network byte order (big-endian)
        rolw $8, %di
        movw %di, addr+2(%rip)

// end tutorial

// tutorial: x86-64-socket
        // socket(AF_INET, SOCK_STREAM, 0)
        mov $AF_INET, %edi
        mov $SOCK_STREAM, %esi
        mov $0, %edx
        CALL(socket)
        mov %eax, %ebx                  // preserve server fd
        mov $STEP_SOCKET, %ecx
        test %eax, %eax
        js fail                         // negative: failed
// end tutorial

        // setsockopt(server_fd, SOL_SOCKET, SO_REUSEADDR, &one, 4)
        mov %ebx, %edi
        mov $SOL_SOCKET, %esi
        mov $SO_REUSEADDR, %edx
        lea one(%rip), %rcx
        mov $4, %r8d
        CALL(setsockopt)
        mov $STEP_SETSOCKOPT, %ecx
        test %eax, %eax
        js fail

        // bind(server_fd, &addr, sizeof(addr))
        mov %ebx, %edi
        lea addr(%rip), %rsi
        mov $ADDR_LEN, %edx
        CALL(bind)
        mov $STEP_BIND, %ecx
        test %eax, %eax
        js fail

        // listen(server_fd, BACKLOG)
        mov %ebx, %edi
        mov $BACKLOG, %esi
        CALL(listen)
        mov $STEP_LISTEN, %ecx
        test %eax, %eax
        js fail

// Accept-Write-Close loop
accept_loop:
        // accept(server_fd, NULL, NULL)
        mov %ebx, %edi
        mov $0, %esi
        mov $0, %edx
        CALL(accept)
        mov %eax, %r12d                 // client_fd
        test %eax, %eax
        js accept_loop                  // failed: skip this client

        // write(client_fd, response, RESP_LEN)
        mov %r12d, %edi
        lea response(%rip), %rsi
        mov $RESP_LEN, %edx
        CALL(write)

        // close(client_fd)
        mov %r12d, %edi
        CALL(close)

        jmp accept_loop                 // handle next connection forever

// Return the failed step; errno is untouched since the failed call.
fail:
        mov %ecx, %eax
        pop %r12
        pop %rbx
        pop %rbp
        ret
#if !defined(__APPLE__)
        .size http_asm_serve, . - http_asm_serve
#endif

// ------------------------------------------------------------
// Data
// ------------------------------------------------------------
        .data
        .p2align 4

// sockaddr_in for 0.0.0.0:8585
addr:
#if defined(__APPLE__)
        .byte 16                        // sin_len: BSD stores the length first
        .byte AF_INET                   // sin_family
#else
        .word AF_INET                   // sin_family: Linux has no sin_len
#endif
        .word 0x8921                    // sin_port (8585 in network byte order)
        .long 0                         // sin_addr (0.0.0.0)
        .quad 0                         // sin_zero[8]

// setsockopt value 1
one:
        .long 1

// Prebuilt HTTP/1.1 response
response:
        .ascii "HTTP/1.1 200 OK\r\n"
        .ascii "Content-Type: text/html; charset=utf-8\r\n"
        .ascii "Content-Length: 74\r\n"
        .ascii "Connection: close\r\n"
        .ascii "\r\n"
        .ascii "<!doctype html><html><body><h1>Hello from Assembler :)</h1></body></html>\n"

#if !defined(__APPLE__)
        .section .note.GNU-stack,"",@progbits   // no executable stack
#endif
