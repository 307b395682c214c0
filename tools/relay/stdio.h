// stdio.h: relay's `stdio` FROM, one session between this process's stdin
// and stdout and TO (socat's `STDIO TCP:host:port`), on lib/relay's
// one-connection loop. Faults and the control socket are for listeners.
//
// Threads: RunStdio on main's thread (it owns stdin and stdout).
#ifndef IPCKIT_TOOLS_RELAY_STDIO_H_
#define IPCKIT_TOOLS_RELAY_STDIO_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/io/unique_fd.h"
#include "lib/process/spawn.h"
#include "tools/relay/plan.h"

namespace ipckit::relay_tool {

// RunStdio opens TO (connect, TLS handshake and pin check, or a child),
// relays stdin to it and its output to stdout until both directions have
// ended (stdin's EOF is passed on as a half-close), and returns OK or the
// first error: "connect 127.0.0.1:9: Connection refused", "handshake
// server: certificate verify failed: ...", "read server: Connection reset by peer".
absl::Status RunStdio(const Plan& plan);

// ExecUpstream is an exec:/sh: TO, started: a socket to the child (its
// stdin and stdout), and the child, in a process group of its own (stopped
// as a group when its session ends) with SIGTERM as its parent-death signal.
struct ExecUpstream {
  io::UniqueFd socket;
  process::Child child;
};

// StartExec starts `argv` with one end of a Unix socket pair as its stdin
// and stdout and returns the other end (close-on-exec), or the error:
// "exec nosuch: No such file or directory".
absl::StatusOr<ExecUpstream> StartExec(const std::vector<std::string>& argv);

}  // namespace ipckit::relay_tool

#endif  // IPCKIT_TOOLS_RELAY_STDIO_H_
