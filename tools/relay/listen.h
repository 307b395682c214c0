// listen.h: relay's FROM, bound: the listening sockets every worker
// accepts from, with the lines and ports that announce them.
// Internal to relay. Threads: Listen runs on the main thread, before the workers.
#ifndef IPCKIT_TOOLS_RELAY_LISTEN_H_
#define IPCKIT_TOOLS_RELAY_LISTEN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/net/socket.h"
#include "tools/relay/plan.h"
#include "tools/relay/worker.h"

namespace ipckit::relay_tool {

// Bound is FROM's sockets: owned listeners (Unix paths removed when they go),
// or the descriptors of socket activation.
struct Bound {
  std::vector<net::Listener> listeners;  // Owned: removed (Unix paths) at exit.
  std::vector<ListenerFd> fds;
  std::vector<std::string> lines;        // "listening on ..." and the port file's lines.
  std::vector<std::string> ports;
};

// Listen binds `p`'s FROM (non-blocking), or takes its listen-fds, or
// returns the error ("listen 127.0.0.1:80: Permission denied").
absl::StatusOr<Bound> Listen(const Plan& p);

}  // namespace ipckit::relay_tool

#endif  // IPCKIT_TOOLS_RELAY_LISTEN_H_
