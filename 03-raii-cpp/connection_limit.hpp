// What the servers that hold many connections at once (stage 04 on) need
// around their --max-connections: the descriptors for that many, and an
// answer for the client one over.
#pragma once

#include "unique_fd.hpp"

namespace raii_http {

// Every connection is a descriptor, and the usual soft limit (1024) is far
// below what such a server holds: raises the soft limit to `connections`
// plus `own` (the server's own descriptors: stdio, the listener, the stop
// pipe, its pollers), as far as the hard limit allows. When that is not
// far enough, says so once on stderr, starting with `program`.
void raise_descriptor_limit(const char* program, long connections, long own);

// Over --max-connections: answers 503 at once and hangs up, never waiting
// on the client. Blocking socket or not, it does not block.
void refuse(unique_fd client);

}  // namespace raii_http
