// server.h: one server's life under with_server (with_server.cc runs the
// servers and the command): Running, what is known of a started server;
// Start; Check, which reads its readiness (listening lines, --port-file,
// --ready-log, {port}, socket activation, then --ready-http); Reap; StopOne;
// and the words messages use (Ended, Tail, ProgramOf).
//
// Threads: with_server's one thread.
#ifndef IPCKIT_TOOLS_WITH_SERVER_SERVER_H_
#define IPCKIT_TOOLS_WITH_SERVER_SERVER_H_

#include <stddef.h>
#include <stdint.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/net/socket.h"
#include "lib/process/exit_status.h"
#include "lib/process/spawn.h"
#include "tools/with_server/adopted.h"
#include "tools/with_server/server_spec.h"

namespace ipckit::with_server {

// Running is a started server and what has been seen of it.
struct Running {
  ServerSpec spec;
  process::Child child;
  std::string log;
  std::string port_file;
  std::vector<std::string> argv;           // The command as started (substituted).
  uint16_t port = 0;                       // {port}'s, or the activation socket's.
  std::optional<net::Listener> activation;  // --socket-activation: ours, handed over as fd 3.
  std::vector<std::string> addrs;
  bool ready = false;                      // Its readiness kind is satisfied...
  bool http_ok = true;                     // ... and (--ready-http) so is its GET.
  std::string http_error;                  // The last GET's failure, for the timeout message.
  absl::Time next_probe = absl::InfinitePast();
  absl::Time log_matched = absl::InfiniteFuture();  // --ready-log: when its line came.
};

// Tail returns the last `lines` lines of the file at `path`, each as
// "  | LINE\n", or "" when it cannot be read.
std::string Tail(const std::string& path, size_t lines);

// Ended says how a server ended: "exited with status 1", "was killed by signal 9".
std::string Ended(const process::ExitStatus& s);

// ProgramOf returns the program an adopted process runs, from its command
// line ("nginx: master process ..." is nginx), else `started` (what
// with_server ran: /bin/sh for an sh: server).
std::string ProgramOf(const Adopted& a, const std::string& started);

// Start starts server `owner` in a process group of its own, with no stdin,
// its output to `log_fd` and SIGTERM should with_server die (SIGKILL
// included); with `activation`, that socket is its fd 3 and LISTEN_FDS=1,
// LISTEN_PID its own PID (set by a /bin/sh that execs it).
absl::StatusOr<process::Child> Start(const std::vector<std::string>& argv, const std::string& owner, int log_fd,
                                     int activation);

// Reap notes a server that has exited, without blocking.
bool Reap(Running& r);

// ReadFile returns a file's contents, or "" when it cannot be read (yet).
std::string ReadFile(const std::string& path);

// LinesFound returns the addresses of the "listening on" lines in a log;
// an address repeated on consecutive lines (netcat-openbsd's "Bound on
// PATH", "Listening on PATH") counts once. A line that names no address
// (LooksLikeAddress) is passed over, and the last such line goes to
// *passed_over when given, for the timeout message.
std::vector<std::string> LinesFound(const std::string& log, std::string* passed_over = nullptr);

// Check reads what a server has reported so far and marks it ready once its
// readiness kind is satisfied (a --ready-log line's TCP address once a
// connect to it succeeds, or kLogConfirm after the line); then, with
// --ready-http, probes (every 50ms).
void Check(Running& r, absl::Time deadline);

// StopOne stops a server as a group (process::Child::Stop: SIGTERM, SIGCONT
// for the stopped, SIGKILL after `grace`); it returns why the stop was unclean
// ("exited with status 1 after SIGTERM", "did not stop within 5s of
// SIGTERM: killed"), or "" for a clean one. A server that had already
// exited (allowed by --may-exit) is clean.
std::string StopOne(Running& r, absl::Duration grace);

}  // namespace ipckit::with_server

#endif  // IPCKIT_TOOLS_WITH_SERVER_SERVER_H_
