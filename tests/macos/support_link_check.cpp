// Links the support code (support/) into a macOS executable, so that every
// libSystem function it calls (libproc's proc_pidinfo and proc_pid_rusage,
// sysctlbyname, posix_spawnp, …) is resolved by the linker, not only
// declared. Built by macos-build, never run.
#include "support/client.hpp"
#include "support/golden.hpp"
#include "support/process.hpp"

#include <unistd.h>

int main() {
    workshop::raise_descriptor_limit(1024);
    pid_t self = ::getpid();
    bool measured = workshop::open_descriptors(self) && workshop::cpu_seconds(self) && workshop::resident_kib(self);
    auto ran = workshop::run_command("/usr/bin/true", {});
    auto reply = workshop::exchange(workshop::free_port());
    return measured && ran.exit_code == 0 && reply.bytes != workshop::golden_response() ? 0 : 1;
}
