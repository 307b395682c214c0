// socket.h owns sockets: Socket (a connected or bound socket of any family),
// Connect (with a deadline per address, over every resolved address in turn)
// and Listener (a bound, listening socket that reports its real address and
// port, dual-stack by default, and never steals a live Unix socket path).
// Every descriptor is created close-on-exec.
//
// Example:
//
//   absl::StatusOr<Listener> l = Listener::Listen(*SocketAddress::Numeric("127.0.0.1", 0), {});
//   std::string shown = l->address().ToString();  // "127.0.0.1:40123"
//   ConnectOptions copts;
//   copts.timeout = absl::Seconds(5);
//   absl::StatusOr<Socket> c = Connect({l->address()}, copts);
//   absl::StatusOr<Socket> s = l->Accept();
//
// Threads: a Socket or Listener is used by one thread at a time (workers may
// accept on one listening descriptor each on its own thread, as echod and
// relay do); Connect and Resolve: any thread.
#ifndef IPCKIT_LIB_NET_SOCKET_H_
#define IPCKIT_LIB_NET_SOCKET_H_

#include <sys/socket.h>
#include <sys/stat.h>

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/io/unique_fd.h"
#include "lib/net/address.h"

namespace ipckit::net {

// SocketOptions are the per-socket settings tools expose.
struct SocketOptions {
  bool reuse_port = false;          // SO_REUSEPORT, only when asked.
  std::optional<int> tos;           // IP_TOS, or IPV6_TCLASS on IPv6 sockets.
  bool keepalive = false;           // SO_KEEPALIVE.
  std::optional<int> send_buffer;   // SO_SNDBUF.
  std::optional<int> recv_buffer;   // SO_RCVBUF.
};

class Socket {
 public:
  Socket() = default;
  explicit Socket(io::UniqueFd fd) : fd_(std::move(fd)) {}

  // Create returns a new close-on-exec socket, or the socket(2) error.
  static absl::StatusOr<Socket> Create(int family, int type);

  int fd() const { return fd_.get(); }
  explicit operator bool() const { return static_cast<bool>(fd_); }
  // Release gives up ownership of the descriptor.
  io::UniqueFd Release() { return std::move(fd_); }

  // LocalAddress and PeerAddress return getsockname(2) and getpeername(2).
  absl::StatusOr<SocketAddress> LocalAddress() const;
  absl::StatusOr<SocketAddress> PeerAddress() const;

  // Apply sets `options` on the socket, or returns the first setsockopt(2)
  // error, naming the option: "setsockopt IP_TOS: Invalid argument".
  absl::Status Apply(const SocketOptions& options);

  // Bind binds to `addr`, or returns "bind ADDR: Address already in use".
  absl::Status Bind(const SocketAddress& addr);

  // ShutdownWrite sends EOF to the peer (shutdown(SHUT_WR)).
  absl::Status ShutdownWrite();

 private:
  io::UniqueFd fd_;
};

struct ConnectOptions {
  int type = SOCK_STREAM;                              // SOCK_STREAM or SOCK_DGRAM.
  absl::Duration timeout = absl::InfiniteDuration();  // For each address tried.
  std::optional<SocketAddress> source;                 // Bound before connecting.
  SocketOptions socket;
};

// Connect connects to the first of `addrs` that accepts, trying each in turn
// with options.timeout for each, and returns the connected (blocking) socket.
// On failure it returns the last address's error: kUnavailable "connect
// 127.0.0.1:9: Connection refused", or kDeadlineExceeded "connect
// 127.0.0.1:9: timed out after 1s".
absl::StatusOr<Socket> Connect(const std::vector<SocketAddress>& addrs,
                               const ConnectOptions& options);

// ConnectTo resolves `host_port` ("host:port", "[v6]:port"; names through
// the resolver) and connects as Connect does, or returns the first error:
// "invalid address 'x': expected HOST:PORT or [IPV6]:PORT", "invalid port
// 'x'", the resolver's, or Connect's.
absl::StatusOr<Socket> ConnectTo(absl::string_view host_port, const ConnectOptions& options);

// SetNoDelay turns Nagle's algorithm off (TCP_NODELAY) on `fd` when it is a
// TCP socket, so that small writes go out at once; for other sockets (Unix)
// it does nothing. It returns the setsockopt(2) error ("TCP_NODELAY: ...").
absl::Status SetNoDelay(int fd);

// StartConnect creates a non-blocking, close-on-exec socket of `type` for
// `addr`, applies `options` and starts connecting. It returns the socket,
// connected or with the connect in progress (wait until it is writable, then
// call FinishConnect), or the error: kUnavailable "connect 127.0.0.1:9:
// Connection refused" (Unix sockets fail here at once).
absl::StatusOr<Socket> StartConnect(const SocketAddress& addr, int type, const SocketOptions& options);

// FinishConnect returns the outcome of StartConnect's connect on `fd` (that
// socket's descriptor, wherever it is owned now) once it is writable: OK,
// or the error as Connect reports it ("connect 127.0.0.1:9: Connection
// refused").
absl::Status FinishConnect(int fd, const SocketAddress& addr);

struct ListenOptions {
  int type = SOCK_STREAM;  // SOCK_DGRAM binds without listen(2).
  int backlog = 128;
  bool v6only = false;     // IPv6 wildcard listeners accept IPv4 unless set.
  SocketOptions socket;
};

class Listener {
 public:
  // Listen binds to `addr` (port 0 picks one) and listens. Unix paths are
  // only replaced when stale: an existing path is unlinked only if a connect
  // to it is refused; a live one fails with kAlreadyExists "listen /p: a
  // server is already listening there", a non-socket with kAlreadyExists
  // "listen /p: exists and is not a socket".
  static absl::StatusOr<Listener> Listen(const SocketAddress& addr, const ListenOptions& options);

  // ListenAny tries each of `addrs` in turn, as Listen, and returns the first
  // that works or the last error.
  static absl::StatusOr<Listener> ListenAny(const std::vector<SocketAddress>& addrs,
                                            const ListenOptions& options);

  Listener(Listener&& other) noexcept;
  Listener& operator=(Listener&& other) noexcept;
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // ~Listener closes the socket and removes the Unix path it created, if the
  // path still names that socket.
  ~Listener();

  // address returns the bound address, with the real port.
  const SocketAddress& address() const { return address_; }
  int fd() const { return socket_.fd(); }
  Socket& socket() { return socket_; }

  // Accept returns the next connection (close-on-exec, blocking) and stores
  // the peer's address in *peer if given, or the accept4(2) error.
  absl::StatusOr<Socket> Accept(SocketAddress* peer = nullptr);

 private:
  Listener() = default;
  void RemovePath();

  Socket socket_;
  SocketAddress address_;
  std::string unix_path_;  // Non-empty when we created this path.
  dev_t path_dev_ = 0;
  ino_t path_ino_ = 0;
};

}  // namespace ipckit::net

#endif  // IPCKIT_LIB_NET_SOCKET_H_
