// What the kernel itself counts, read beside the client's own figures:
// the listen queues' drops, the TCP segments sent, a server's resident
// memory, and our descriptor limit. Linux only; elsewhere each returns
// nullopt and its column stays empty.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>

namespace bench {

// TcpExt ListenOverflows in /proc/net/netstat: SYNs and handshake ACKs
// dropped because a listener's accept queue was full. It counts every
// listener on the machine (its network namespace), tests included.
std::optional<std::uint64_t> listen_overflows();

// Tcp OutSegs in /proc/net/snmp: TCP segments sent (resets included,
// retransmissions not) by every socket of the network namespace, so on
// loopback both sides of each connection, the benchmark's client and the
// server, and any other program's traffic in that namespace.
std::optional<std::uint64_t> tcp_segments_sent();

// Moves this process, before it starts any thread or child, into a network
// namespace of its own with its loopback interface up, so that
// ListenOverflows and OutSegs count the benchmark's traffic alone rather
// than every program's on the machine. Needs root (CAP_SYS_ADMIN); false
// elsewhere, and then nothing changed.
bool enter_own_network_namespace();

// Resident memory of a process and all its descendants (nginx's workers,
// qemu's guest), from /proc/<pid>/status.
std::optional<std::uint64_t> resident_bytes(pid_t pid);

// Raises RLIMIT_NOFILE's soft limit towards `wanted`, up to the hard
// limit, for us and the servers we start; says what it did.
std::string raise_descriptor_limit(std::uint64_t wanted);

}  // namespace bench
