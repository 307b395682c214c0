// server.h is echod's engine: one epoll loop per worker thread serving every
// listener (shared, with EPOLLEXCLUSIVE), echo with backpressure and correct
// half-close, bounded per-connection memory, UDP replies from the address a
// datagram came to, limits, fault injection, and graceful drain.
//
// TLS listeners run the handshake in the same loop (lib/tls TlsStream, non-
// blocking) and then echo decrypted bytes the same way, without splice.
//
// Memory per connection: an idle connection holds no buffer (a TLS one holds
// its SSL object). Data is echoed
// straight from a per-worker scratch buffer of buffer_size; only what the client is
// not reading fast enough is kept, at most one read's worth (buffer_size),
// and while it is kept echod stops reading that connection.
//
// Example:
//
//   ServerOptions o;
//   o.listeners.push_back(*ParseListenSpec("127.0.0.1:0", Transport::kTcp));
//   absl::StatusOr<std::unique_ptr<Server>> s = Server::Create(o);
//   (*s)->Start();
//   ... (*s)->Stop(); (*s)->Wait();
//
// Threads: a Server is started and stopped from main's thread; each worker
// thread runs its own Worker; Stats may be read from any thread.
#ifndef IPCKIT_TOOLS_ECHOD_SERVER_H_
#define IPCKIT_TOOLS_ECHOD_SERVER_H_

#include <stdint.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/io/unique_fd.h"
#include "lib/net/socket.h"
#include "lib/tls/tls_context.h"
#include "tools/echod/listen_spec.h"
#include "tools/echod/server_options.h"

namespace ipckit::echod {

class Worker;
struct SharedCounters;

struct Stats {
  uint64_t accepted = 0;
  uint64_t active = 0;
  uint64_t rejected = 0;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  uint64_t datagrams_in = 0;
  uint64_t datagrams_out = 0;
  uint64_t dropped = 0;
  uint64_t handshakes = 0;          // TLS handshakes completed.
  uint64_t handshake_failures = 0;  // TLS handshakes that failed.
};

// FormatStats returns one line: "stats: accepted=3 active=1 ..." or a JSON object.
std::string FormatStats(const Stats& s, bool json);

// Bound is one listening socket and what it serves.
struct Bound {
  Transport transport;
  std::string address;  // "127.0.0.1:40123", "[::]:7007", "/tmp/e.sock".
  uint16_t port = 0;
  bool tls = false;
};

class Server {
 public:
  // Create binds every listener (and adopts inherited ones) or returns the
  // first error: "bind 127.0.0.1:7: Permission denied".
  static absl::StatusOr<std::unique_ptr<Server>> Create(const ServerOptions& options);
  ~Server();

  const std::vector<Bound>& bound() const { return bound_; }

  // Start starts the worker threads; each serves every listener.
  absl::Status Start();

  // Stop stops accepting (stream listeners refuse new clients at once,
  // lib/server's StopListening) and lets open connections finish for up to
  // drain_timeout, after which they are closed. It returns at once.
  void Stop();

  // Wait waits for the workers to finish (after Stop).
  void Wait();

  // stats returns the counters so far (safe from any thread).
  Stats stats() const;

 private:
  explicit Server(const ServerOptions& options);

  ServerOptions options_;
  std::vector<net::Listener> listeners_;  // Bound here; each removes its Unix path at exit.
  std::vector<io::UniqueFd> inherited_;       // Socket activation.
  std::vector<int> fds_;                  // Every listening socket, shared by the workers.
  std::vector<Transport> transports_;
  std::vector<bool> tls_;
  std::vector<Bound> bound_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::unique_ptr<SharedCounters> counters_;
};

}  // namespace ipckit::echod

#endif  // IPCKIT_TOOLS_ECHOD_SERVER_H_
