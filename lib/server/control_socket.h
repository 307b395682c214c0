// control_socket.h: a server's line-protocol control socket (relay's is
// the first user; its commands are in tools/relay/control.h), served on the
// main thread beside the signals by server::WaitForStop.
//
// Nothing a client does can block the thread that serves it: reads and
// writes are non-blocking, answers wait in the client's own buffer, a
// client with answers waiting is not read (it asks faster than it reads),
// and a client that lets more than kMaxUnread bytes wait is dropped.
//
//   absl::StatusOr<std::unique_ptr<ControlSocket>> c = ControlSocket::Listen("/run/x.sock");
//   ControlSocket::Handler answer = [](absl::string_view line) { return "ok"; };
//   server::WaitForStop(sigs, on_usr1, {c->get(), answer});
//
// Threads: a ControlSocket is used from one thread (the one calling
// WaitForStop); the handler runs on that thread.
#ifndef IPCKIT_LIB_SERVER_CONTROL_SOCKET_H_
#define IPCKIT_LIB_SERVER_CONTROL_SOCKET_H_

#include <stddef.h>
#include <stdint.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/io/unique_fd.h"
#include "lib/net/socket.h"
#include "lib/selector/selector.h"

namespace ipckit::server {

class ControlSocket {
 public:
  // Handler answers one command line (without its '\n'); the answer is sent
  // followed by '\n'.
  using Handler = std::function<std::string(absl::string_view line)>;

  // kMaxUnread is how many answer bytes may wait for a client that does not
  // read them; past it the client is dropped.
  static constexpr size_t kMaxUnread = 256 * 1024;
  // kMaxLine is the longest command line; a longer one is answered
  // "error: line too long" and the client is closed.
  static constexpr size_t kMaxLine = 64 * 1024;

  // Listen listens on the Unix socket `path` (or @name), or returns the
  // error: "listen /p: a server is already listening there".
  static absl::StatusOr<std::unique_ptr<ControlSocket>> Listen(const std::string& path);

  // Attach registers the listener with `sel` (its data is this object); the
  // clients it accepts are registered there too. Call once, before OnEvent;
  // `sel` must outlive every OnEvent call.
  absl::Status Attach(selector::Selector* sel);

  // OnEvent handles one selector event whose data is this socket's: it accepts clients, reads
  // what a client sent, answers each whole line with `answer`, and writes
  // what it can without blocking. A client that closes has its last line
  // (one without '\n') answered too. Clients that are gone are closed.
  void OnEvent(const selector::Event& e, const Handler& answer);

  // clients returns the number of connected control clients.
  size_t clients() const { return clients_.size(); }

 private:
  struct Client {
    io::UniqueFd fd;
    std::string line;      // A partial command line.
    std::string unread;    // Answers not yet written.
    bool closing = false;  // Gone once `unread` is written.
  };
  explicit ControlSocket(net::Listener l) : listener_(std::move(l)) {}
  void Accept();
  // Read reads what `c` sent and appends the answers; false when it is gone.
  bool Read(Client& c, const Handler& answer);
  // Flush writes what it can of `c.unread`; false when the client is gone.
  static bool Flush(Client& c);
  void Drop(Client* c);

  net::Listener listener_;
  selector::Selector* sel_ = nullptr;
  absl::flat_hash_map<const void*, std::unique_ptr<Client>> clients_;  // Keyed by the Client itself.
};

}  // namespace ipckit::server

#endif  // IPCKIT_LIB_SERVER_CONTROL_SOCKET_H_
