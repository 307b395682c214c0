// control_server.h serves relay's control socket (control.h has the
// protocol) on the main thread, beside the signals: ControlServer owns the
// listening Unix socket and its clients; ServeSignalsAndControl is the main
// thread's loop.
#ifndef IPCKIT_TOOLS_RELAY_CONTROL_SERVER_H_
#define IPCKIT_TOOLS_RELAY_CONTROL_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/net/socket.h"
#include "lib/signal/signal_source.h"
#include "tools/relay/fault_table.h"

namespace ipckit::relay_tool {

class ControlServer {
 public:
  // Listen listens on the Unix socket `path` (or @name), or returns the
  // error: "listen /p: a server is already listening there".
  static absl::StatusOr<std::unique_ptr<ControlServer>> Listen(const std::string& path);

  int fd() const { return listener_.fd(); }
  // Accept takes a new control client; it returns its descriptor, or -1.
  int Accept();
  // Serve reads what client `fd` sent and answers each whole line; it
  // returns false when the client is gone (then it has been closed). A line
  // over 64 KiB closes the client.
  bool Serve(int fd, FaultTable& table, const std::function<std::string()>& stats);

 private:
  explicit ControlServer(net::Listener l) : listener_(std::move(l)) {}
  net::Listener listener_;
  absl::flat_hash_map<int, std::string> pending_;  // Per client: a partial line.
  std::vector<io::UniqueFd> clients_;
};

// ServeSignalsAndControl waits for signals and control clients until SIGTERM
// or SIGINT (then OK) or a wait fails. SIGUSR1 calls `on_usr1`; after each
// control command `wake` tells the workers to look at the table.
absl::Status ServeSignalsAndControl(signal::SignalSource& sigs, ControlServer* control, FaultTable& table,
                                    const std::function<std::string()>& stats, const std::function<void()>& wake,
                                    const std::function<void()>& on_usr1);

}  // namespace ipckit::relay_tool

#endif  // IPCKIT_TOOLS_RELAY_CONTROL_SERVER_H_
