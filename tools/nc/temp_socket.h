// temp_socket.h: the path a Unix datagram client binds so that its server
// can answer (nc -uU), as OpenBSD nc does, and a Unix listener's path (nc
// -lU), each removed when nc ends: a private directory
// $TMPDIR/nc-XXXXXX (mode 0700; /tmp when $TMPDIR is unset or too long for a
// socket path) holding recv.sock, or the path given with -s. The path is
// removed when the ClientSocketPath is destroyed and, should a signal end nc
// first, by a SIGINT/SIGTERM/SIGHUP/SIGQUIT handler that then re-raises it.
//
// Threads: made and dropped on main's thread; the path's removal on a
// signal happens in the handler, which touches only a fixed buffer.
#ifndef IPCKIT_TOOLS_NC_TEMP_SOCKET_H_
#define IPCKIT_TOOLS_NC_TEMP_SOCKET_H_

#include <string>

#include "absl/status/statusor.h"

namespace ipckit::nc {

class ClientSocketPath {
 public:
  // Create makes the private directory and returns DIR/recv.sock (not yet
  // bound), or the mkdtemp error; with a non-empty `given` (-s PATH) it
  // returns that path, which is removed at exit too (nc binds it).
  // One ClientSocketPath may exist at a time.
  static absl::StatusOr<ClientSocketPath> Create(const std::string& given);

  // Guard returns a ClientSocketPath for `path`, a Unix listener's socket
  // (already bound by the listener), removed as above at exit and on those
  // signals; or kInvalidArgument for a path too long to keep.
  static absl::StatusOr<ClientSocketPath> Guard(const std::string& path) { return Create(path); }

  ClientSocketPath(ClientSocketPath&& other) noexcept;
  ClientSocketPath& operator=(ClientSocketPath&&) = delete;
  ~ClientSocketPath();

  const std::string& path() const { return path_; }

  // Bound restricts the socket file to its owner (mode 0600) once bound.
  void Bound() const;

 private:
  ClientSocketPath() = default;
  std::string path_, dir_;
  bool active_ = false;
};

}  // namespace ipckit::nc

#endif  // IPCKIT_TOOLS_NC_TEMP_SOCKET_H_
