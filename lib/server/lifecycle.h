// lifecycle.h: the lifecycle every ipckit server (echod, relay) shares, in
// one place: announce where it listens (the "listening on" lines lib/net's
// reader reads back, a --port-file, a --ready-fd), serve until SIGTERM or
// SIGINT (SIGUSR1 asks for stats; a control socket, control_socket.h, is
// served beside them on lib/selector), and drain by refusing new clients at
// once while the live ones finish. The idle rule is idle_sweep.h.
//
//   absl::StatusOr<signal::SignalSource> sigs = server::TakeSignals();  // Before any thread.
//   server::Readiness r{lines, "ports.txt", ports, ready_fd};
//   absl::Status s = server::Announce(r, std::cout);     // Then ready.
//   if (s.ok()) s = server::WaitForStop(*sigs, [&] { log << Stats(); });
//   server::StopListening(stream_listener_fds);          // The drain begins.
//
// Threads: TakeSignals on main's thread before any other starts (the mask
// it sets is inherited); Announce, WaitForStop and StopListening on that
// thread; the stats callback runs on it too.
#ifndef IPCKIT_LIB_SERVER_LIFECYCLE_H_
#define IPCKIT_LIB_SERVER_LIFECYCLE_H_

#include <functional>
#include <ostream>
#include <string>
#include <vector>
#include <vector>

#include "absl/status/status.h"
#include "lib/server/control_socket.h"
#include "lib/signal/signal_source.h"

namespace ipckit::server {

// Readiness is how a server says it is ready, in the order Announce does it.
struct Readiness {
  std::vector<std::string> lines;  // "listening on ADDR (tcp)" (net::FormatListeningLine), one per listener.
  std::string port_file;           // --port-file: written atomically, or "" for none.
  std::vector<std::string> ports;  // Its lines: a port, or a socket path.
  int ready_fd = -1;               // --ready-fd: "1" is written to it, then it is closed; -1 for none.
};

// Announce writes the lines to `out` (flushed), then the port file, then
// the ready fd; it returns the first error ("--ready-fd 5: Bad file
// descriptor", the port file's write error). The ready fd is closed either
// way.
absl::Status Announce(const Readiness& r, std::ostream& out);

// TakeSignals blocks SIGTERM, SIGINT and SIGUSR1 in the calling thread (so
// in the threads it starts later: call it before starting workers) and
// returns them on a signalfd for WaitForStop, or the error.
absl::StatusOr<signal::SignalSource> TakeSignals();

// WaitForStop waits on `sigs` (which must take SIGTERM and SIGINT) and
// returns OK at the first SIGTERM or SIGINT; each SIGUSR1 calls `on_usr1`.
// Meanwhile it serves the clients of each of `controls` (none may be
// nullptr), on the calling thread, without ever blocking on one (so a
// client that does not read never holds up a signal), and times out their
// incomplete requests. It fails only if the signalfd or the selector does.
absl::Status WaitForStop(signal::SignalSource& sigs, const std::function<void()>& on_usr1,
                         const std::vector<ControlSocket*>& controls = {});

// StopListening makes each stream listener in `fds` refuse new clients at
// once, as haproxy's soft stop does, and so as a drain starts: the socket
// stops listening (shutdown(2)), clients still in its backlog are reset,
// and the descriptor stays valid for the threads that hold it (an accept
// on it fails with EINVAL). Datagram sockets must not be given.
void StopListening(const std::vector<int>& fds);

}  // namespace ipckit::server

#endif  // IPCKIT_LIB_SERVER_LIFECYCLE_H_
