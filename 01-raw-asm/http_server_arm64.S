// http_server_arm64.S
// Minimal HTTP server on ARM64: the program of Leanid Herasimau's article
// "I Wrote an HTTP Server in Assembly (and It Actually Works)" (DEV
// Community, first published on suddo.io), for Apple Silicon, plus its
// Linux flavour behind the preprocessor. Answers every connection with a
// tiny HTML page, never reading the request.
//
// AAPCS64, the ARM64 calling convention:
//   x0-x7    arguments; x0 also carries the return value
//   x19-x28  callee-saved: a function must restore them before it returns
//            (so are d8-d15, the low halves of v8-v15; unused here)
//   x29      frame pointer; x30 link register (return address, set by bl)
//   sp       16-byte aligned at every call
// Apple's variant also reserves x18 and passes variadic arguments on the
// stack; this file uses neither.
//
// What changed from the article. Held beside its complete listing, every
// instruction, constant and data byte of it is here, in the same order
// (built for macOS; on Linux two constants and the address's first bytes
// differ, see below). Added:
//   - main became http_asm_serve(port), called by main.cpp, which reads
//     --port, reports failures and ignores SIGPIPE; so a prologue saves the
//     frame record and x19/x20, and `fail` restores them and returns;
//   - the port is stored into addr at run time, so `.hword 0x8921` (8585)
//     is now a placeholder that store overwrites;
//   - each set-up call is checked: a failure returns which call failed,
//     errno intact, so the driver can name it. The article checked none:
//     a failed setsockopt now ends the program too; a failed bind left its
//     server listening on a port the kernel picked (listen binds an unbound
//     socket to any free port), and a failed socket left it spinning on
//     accept(-1);
//   - a failed accept is skipped, not served. It is retried at once: out of
//     descriptors, this loop still spins at full speed (stages 02 on pause).

// tutorial: arm64-flavours
#if defined(__APPLE__)
// Mach-O prefixes C symbols with '_' and addresses a symbol as page + offset.
#define SYM(name)     _##name
#define PAGE(name)    name@PAGE
#define PAGEOFF(name) name@PAGEOFF
#else
// ELF uses C names as they are; :lo12: is the offset within the 4 KiB page.
#define SYM(name)     name
#define PAGE(name)    name
#define PAGEOFF(name) :lo12:name
#endif
// end tutorial

        .text
        .globl SYM(http_asm_serve)

        // On macOS, system call numbers are published but not a stable
        // interface, so the article calls libSystem's C functions; Linux's
        // libc has the same ones.
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
//                    w0
// Returns only on failure: STEP_* in w0, errno as the failed call left it.
// Uses x19 (server fd) and x20 (client fd), so saves them with x29/x30.
// ------------------------------------------------------------
#if !defined(__APPLE__)
        .type http_asm_serve, %function
#endif
// tutorial: arm64-prologue
SYM(http_asm_serve):
        stp x29, x30, [sp, #-32]!       // frame record; keeps sp 16-byte aligned
        mov x29, sp
        stp x19, x20, [sp, #16]         // callee-saved registers we use

        // sin_port = port, swapped to network byte order (big-endian)
        rev16 w0, w0
        adrp x9, PAGE(addr)
        add x9, x9, PAGEOFF(addr)
        strh w0, [x9, #2]

// end tutorial

// tutorial: arm64-socket
        // socket(AF_INET, SOCK_STREAM, 0)
        mov x0, #AF_INET
        mov x1, #SOCK_STREAM
        mov x2, #0
        bl SYM(socket)
        mov x19, x0                     // preserve server fd
        mov w9, #STEP_SOCKET
        tbnz w0, #31, fail              // negative: failed
// end tutorial

        // setsockopt(server_fd, SOL_SOCKET, SO_REUSEADDR, &one, 4)
        mov x0, x19
        movz x1, #SOL_SOCKET
        mov x2, #SO_REUSEADDR
        adrp x3, PAGE(one)
        add x3, x3, PAGEOFF(one)
        mov x4, #4
        bl SYM(setsockopt)
        mov w9, #STEP_SETSOCKOPT
        tbnz w0, #31, fail

        // bind(server_fd, &addr, sizeof(addr))
        mov x0, x19
        adrp x1, PAGE(addr)
        add x1, x1, PAGEOFF(addr)
        mov x2, #ADDR_LEN
        bl SYM(bind)
        mov w9, #STEP_BIND
        tbnz w0, #31, fail

        // listen(server_fd, BACKLOG)
        mov x0, x19
        mov x1, #BACKLOG
        bl SYM(listen)
        mov w9, #STEP_LISTEN
        tbnz w0, #31, fail

// tutorial: arm64-accept-loop
// Accept-Write-Close loop
accept_loop:
        // accept(server_fd, NULL, NULL)
        mov x0, x19
        mov x1, #0
        mov x2, #0
        bl SYM(accept)
        mov x20, x0                     // client_fd
        tbnz w0, #31, accept_loop       // failed: skip this client

        // write(client_fd, response, RESP_LEN)
        mov x0, x20
        adrp x1, PAGE(response)
        add x1, x1, PAGEOFF(response)
        mov x2, #RESP_LEN
        bl SYM(write)

        // close(client_fd)
        mov x0, x20
        bl SYM(close)

        b accept_loop                   // handle next connection forever
// end tutorial

// Return the failed step; errno is untouched since the failed call.
fail:
        mov w0, w9
        ldp x19, x20, [sp, #16]
        ldp x29, x30, [sp], #32
        ret
#if !defined(__APPLE__)
        .size http_asm_serve, . - http_asm_serve
#endif

// ------------------------------------------------------------
// Data
// ------------------------------------------------------------
        .data
        .align 4

// tutorial: arm64-addr
// sockaddr_in for 0.0.0.0:8585
addr:
#if defined(__APPLE__)
        .byte 16                        // sin_len: BSD stores the length first
        .byte AF_INET                   // sin_family
#else
        .hword AF_INET                  // sin_family: Linux has no sin_len
#endif
        .hword 0x8921                   // sin_port (8585 in network byte order)
        .word 0                         // sin_addr (0.0.0.0)
        .quad 0                         // sin_zero[8]
// end tutorial

// setsockopt value 1
one:
        .word 1

// Prebuilt HTTP/1.1 response
response:
        .ascii "HTTP/1.1 200 OK\r\n"
        .ascii "Content-Type: text/html; charset=utf-8\r\n"
        .ascii "Content-Length: 74\r\n"
        .ascii "Connection: close\r\n"
        .ascii "\r\n"
        .ascii "<!doctype html><html><body><h1>Hello from Assembler :)</h1></body></html>\n"

#if !defined(__APPLE__)
        .section .note.GNU-stack,"",%progbits   // no executable stack
#endif
