// control_server.h serves relay's control socket (control.h has the
// protocol) on the main thread, beside the signals: ControlServer owns the
// listening Unix socket and its clients; ServeSignalsAndControl is the main
// thread's loop. Nothing a client does can block that loop: reads and
// writes are non-blocking, answers wait in the client's own buffer, and a
// client that does not read them is dropped once kMaxUnread bytes wait.
#ifndef IPCKIT_TOOLS_RELAY_CONTROL_SERVER_H_
#define IPCKIT_TOOLS_RELAY_CONTROL_SERVER_H_

#include <stddef.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/io/unique_fd.h"
#include "lib/net/socket.h"
#include "lib/signal/signal_source.h"
#include "tools/relay/fault_table.h"

namespace ipckit::relay_tool {

class ControlServer {
 public:
  // kMaxUnread is how many answer bytes may wait for a client that does not
  // read them; past it the client is dropped. While any wait, its further
  // commands are not read (it is asking faster than it reads).
  static constexpr size_t kMaxUnread = 256 * 1024;

  // Listen listens on the Unix socket `path` (or @name), or returns the
  // error: "listen /p: a server is already listening there".
  static absl::StatusOr<std::unique_ptr<ControlServer>> Listen(const std::string& path);

  int fd() const { return listener_.fd(); }
  // Accept takes a new control client; it returns its descriptor, or -1.
  int Accept();
  // Events returns what to poll client `fd` for: POLLIN while it has no
  // answers waiting, POLLOUT while it has.
  short Events(int fd) const;
  // Serve reads what client `fd` sent and answers each whole line, and
  // writes what answers it can without blocking; it returns false when the
  // client is gone or dropped (then it has been closed). A line over 64 KiB
  // closes the client.
  bool Serve(int fd, short revents, FaultTable& table, const std::function<std::string()>& stats);

 private:
  struct Client {
    io::UniqueFd fd;
    std::string line;     // A partial command line.
    std::string unread;   // Answers not yet written.
    bool closing = false; // Gone once `unread` is written.
  };
  explicit ControlServer(net::Listener l) : listener_(std::move(l)) {}
  // Flush writes what it can of `c.unread`; false when the client is gone.
  static bool Flush(Client& c);
  void Drop(int fd);

  net::Listener listener_;
  absl::flat_hash_map<int, std::unique_ptr<Client>> clients_;
};

// ServeSignalsAndControl waits for signals and control clients until SIGTERM
// or SIGINT (then OK) or a wait fails. SIGUSR1 calls `on_usr1`; after each
// control command `wake` tells the workers to look at the table.
absl::Status ServeSignalsAndControl(signal::SignalSource& sigs, ControlServer* control, FaultTable& table,
                                    const std::function<std::string()>& stats, const std::function<void()>& wake,
                                    const std::function<void()>& on_usr1);

}  // namespace ipckit::relay_tool

#endif  // IPCKIT_TOOLS_RELAY_CONTROL_SERVER_H_
