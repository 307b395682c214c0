// control_socket.h: a server's control socket, served on the main thread
// beside the signals by server::WaitForStop: relay's line protocol
// (tools/relay/control.h) on a Unix socket, its toxiproxy HTTP API
// (tools/relay/api.h) on TCP. The socket moves bytes; a Protocol finds the
// requests in them and answers.
//
// Nothing a client does can block the thread that serves it: reads and
// writes are non-blocking, answers wait in the client's own buffer, a
// client with answers waiting is not read (it asks faster than it reads),
// a client that lets more than Options::max_unread bytes wait is dropped, and one
// whose request stays incomplete past Options::request_timeout gets the
// timeout reply and is closed.
//
//   absl::StatusOr<std::unique_ptr<ControlSocket>> c = ControlSocket::Listen(
//       "/run/x.sock", ControlSocket::Lines([](absl::string_view line) { return "ok"; }));
//   server::WaitForStop(sigs, on_usr1, {c->get()});
//
// Threads: a ControlSocket is used from one thread (the one calling
// WaitForStop); the protocol runs on that thread.
#ifndef IPCKIT_LIB_SERVER_CONTROL_SOCKET_H_
#define IPCKIT_LIB_SERVER_CONTROL_SOCKET_H_

#include <stddef.h>
#include <stdint.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/io/unique_fd.h"
#include "lib/net/socket.h"
#include "lib/selector/selector.h"

namespace ipckit::server {

class ControlSocket {
 public:
  // Reply is what a protocol makes of the first request in a client's input.
  struct Reply {
    size_t consumed = 0;  // The bytes the request took.
    std::string bytes;    // What to send back.
    bool close = false;   // Close the client once `bytes` is written.
  };
  // Protocol answers the first whole request in `input` (what the client
  // sent that no earlier request took), or returns nullopt while it is
  // incomplete; `eof` says the client has closed its side, so no more comes.
  // A reply that consumes nothing must close.
  using Protocol = std::function<std::optional<Reply>(absl::string_view input, bool eof)>;

  // Handler answers one command line (without its '\n'); the answer is sent
  // followed by '\n'.
  using Handler = std::function<std::string(absl::string_view line)>;
  // Lines is the line protocol: each line answered by `answer`, a last line
  // without '\n' too, and one longer than kMaxLine answered "error: line
  // too long" and the client closed.
  static Protocol Lines(Handler answer);

  struct Options {
    absl::Duration request_timeout = absl::InfiniteDuration();  // For a request begun and not finished.
    std::string timeout_reply;  // Sent to a client whose request timed out.
    size_t max_unread = kMaxUnread;  // At least the largest single answer the protocol gives.
  };

  // kMaxUnread is how many answer bytes may wait for a client that does not
  // read them (Options::max_unread's default); past it the client is dropped.
  static constexpr size_t kMaxUnread = 256 * 1024;
  // kMaxLine is the longest command line; a longer one is answered
  // "error: line too long" and the client is closed.
  static constexpr size_t kMaxLine = 64 * 1024;

  // Listen listens on the Unix socket `path` (or @name), or returns the
  // error: "listen /p: a server is already listening there".
  static absl::StatusOr<std::unique_ptr<ControlSocket>> Listen(const std::string& path, Protocol protocol);
  // Listen listens on `at` (TCP or Unix), or returns the error.
  static absl::StatusOr<std::unique_ptr<ControlSocket>> Listen(const net::SocketAddress& at, Protocol protocol,
                                                               Options options);

  // Attach registers the listener with `sel` (its data is this object); the
  // clients it accepts are registered there too. Call once, before OnEvent;
  // `sel` must outlive every OnEvent call.
  absl::Status Attach(selector::Selector* sel);

  // OnEvent handles one selector event whose data is this socket's: it
  // accepts clients, reads what a client sent, answers each whole request
  // with the protocol, and writes what it can without blocking. Clients
  // that are gone are closed.
  void OnEvent(const selector::Event& e);

  // Owns says whether an event with `data` is this socket's (its own or a client's).
  bool Owns(const void* data) const { return data == this || clients_.contains(data); }

  // Deadline is when the oldest incomplete request times out (InfiniteFuture
  // when none can); Expire answers and closes those that have by `now`.
  absl::Time Deadline() const;
  void Expire(absl::Time now);

  // clients returns the number of connected control clients.
  size_t clients() const { return clients_.size(); }
  // address is where it listens (the port chosen for port 0).
  const net::SocketAddress& address() const { return listener_.address(); }

 private:
  struct Client {
    io::UniqueFd fd;
    std::string input;     // Sent, not yet taken by a request.
    absl::Time since = absl::InfiniteFuture();  // When `input` began; InfiniteFuture when empty.
    std::string unread;    // Answers not yet written.
    bool closing = false;  // Gone once `unread` is written.
  };
  ControlSocket(net::Listener l, Protocol p, Options o)
      : listener_(std::move(l)), protocol_(std::move(p)), options_(std::move(o)) {}
  void Accept();
  // Read reads what `c` sent and appends the answers; false when it is gone.
  bool Read(Client& c);
  // Answer appends the replies to the whole requests in `c.input`; false
  // when a reply closes the client.
  bool Answer(Client& c, bool eof);
  // Settle flushes `c` and drops it, or watches it for what comes next.
  void Settle(Client& c);
  // Flush writes what it can of `c.unread`; false when the client is gone.
  static bool Flush(Client& c);
  void Drop(Client* c);

  net::Listener listener_;
  Protocol protocol_;
  Options options_;
  selector::Selector* sel_ = nullptr;
  absl::flat_hash_map<const void*, std::unique_ptr<Client>> clients_;  // Keyed by the Client itself.
};

}  // namespace ipckit::server

#endif  // IPCKIT_LIB_SERVER_CONTROL_SOCKET_H_
