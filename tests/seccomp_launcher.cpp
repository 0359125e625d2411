// seccomp_launcher COMMAND [ARGS]: runs COMMAND as a default container
// would, as far as io_uring goes. Docker's default seccomp profile (25 and
// later), containerd 2.0's and Debian's Podman refuse io_uring_setup,
// io_uring_enter and io_uring_register with EPERM; this installs a filter
// refusing exactly those three, then execs COMMAND, which inherits it, as
// does everything it starts. Linux only (seccomp is Linux's).
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

#if defined(__x86_64__)
constexpr unsigned this_arch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr unsigned this_arch = AUDIT_ARCH_AARCH64;
#else
#error "seccomp_launcher knows the audit architecture of x86-64 and ARM64 only"
#endif

// The filter, in classic BPF: a call of another architecture's table
// (x86-64's 32-bit one) is allowed; of this one, io_uring's three calls get
// EPERM, every other call is allowed.
sock_filter filter[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, this_arch, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 3, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_enter, 2, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_register, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
};

}  // namespace

int main(int argc, char* argv[]) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: seccomp_launcher COMMAND [ARGS]\n");
        return 2;
    }
    // Without root, a filter may be installed only by a process that can
    // gain no privileges (no set-user-ID program gains them under it).
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        std::fprintf(stderr, "seccomp_launcher: prctl PR_SET_NO_NEW_PRIVS: %s\n", std::strerror(errno));
        return 1;
    }
    sock_fprog program{.len = sizeof filter / sizeof filter[0], .filter = filter};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
        std::fprintf(stderr, "seccomp_launcher: prctl PR_SET_SECCOMP: %s\n", std::strerror(errno));
        return 1;
    }
    execvp(argv[1], argv + 1);
    std::fprintf(stderr, "seccomp_launcher: %s: %s\n", argv[1], std::strerror(errno));
    return 127;
}
