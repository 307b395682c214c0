// address.h parses and resolves the addresses ipckit tools take on their
// command lines: "host port", "host:port", "[v6]:port", port lists and
// ranges ("20-30,80"), Unix socket paths and abstract names ("@name").
// SocketAddress holds one concrete address of any family and prints it the
// way every tool reports addresses: "127.0.0.1:80", "[::1]:80", "/run/x.sock",
// "@name".
//
// Example:
//
//   absl::StatusOr<HostPort> hp = SplitHostPort("[::1]:8080");
//   absl::StatusOr<uint16_t> port = ParsePort(hp->port);
//   absl::StatusOr<std::vector<SocketAddress>> addrs =
//       Resolve(hp->host, *port, ResolveOptions{.numeric = true});
//   std::string shown = (*addrs)[0].ToString();  // "[::1]:8080"
//
// Threads: any thread (Resolve uses getaddrinfo(3), which is thread-safe).
#ifndef IPCKIT_LIB_NET_ADDRESS_H_
#define IPCKIT_LIB_NET_ADDRESS_H_

#include <stdint.h>
#include <sys/socket.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipckit::net {

// HostPort is an unresolved "host:port" pair; host may be empty (any address).
struct HostPort {
  std::string host;
  std::string port;
};

// SplitHostPort splits "host:port", "[v6]:port" or ":port", or returns
// kInvalidArgument: "invalid address 'x': expected HOST:PORT or [IPV6]:PORT".
// A bare IPv6 address with a port needs brackets: "::1:80" is rejected.
absl::StatusOr<HostPort> SplitHostPort(absl::string_view text);

// ParsePort returns the port number `text` (0 to 65535) or a service name
// from /etc/services ("http"), or kInvalidArgument: "invalid port 'x'".
absl::StatusOr<uint16_t> ParsePort(absl::string_view text);

// ParsePortList returns the ports of a list of ports and ranges, in order and
// without duplicates: "20-22,80" is {20, 21, 22, 80}. A reversed range is
// the same ports ascending, as netcat-openbsd scans it: "22-20" is {20, 21,
// 22}. A bad bound is kInvalidArgument "invalid port range '1-70000'".
absl::StatusOr<std::vector<uint16_t>> ParsePortList(absl::string_view text);

// SocketAddress is one concrete socket address (IPv4, IPv6 or Unix).
class SocketAddress {
 public:
  SocketAddress();
  // FromSockaddr copies `len` bytes of `sa`.
  SocketAddress(const struct sockaddr* sa, socklen_t len);

  // Unix returns the Unix-domain address `path`, or an abstract address when
  // `path` starts with '@' ("@name"), or kInvalidArgument when the path is
  // empty or longer than sun_path: "unix path too long (max 107 bytes): ...".
  static absl::StatusOr<SocketAddress> Unix(absl::string_view path);

  // Numeric returns the address of the IP literal `host` ("127.0.0.1",
  // "::1", "[::1]") with `port`, or kInvalidArgument if it is not a literal.
  static absl::StatusOr<SocketAddress> Numeric(absl::string_view host, uint16_t port);

  int family() const { return storage_.ss_family; }
  bool is_unix() const { return family() == AF_UNIX; }
  bool is_ip() const { return family() == AF_INET || family() == AF_INET6; }
  const struct sockaddr* get() const { return reinterpret_cast<const struct sockaddr*>(&storage_); }
  struct sockaddr* mutable_get() { return reinterpret_cast<struct sockaddr*>(&storage_); }
  socklen_t size() const { return len_; }
  // set_size records how many bytes of the storage a syscall filled in.
  void set_size(socklen_t len) { len_ = len; }
  static constexpr socklen_t capacity() { return sizeof(struct sockaddr_storage); }

  // port returns the IP port, or 0 for Unix addresses.
  uint16_t port() const;
  // set_port sets the IP port; it does nothing for Unix addresses.
  void set_port(uint16_t port);

  // Host returns the IP address as text ("127.0.0.1", "::1"), the Unix path,
  // or "@name" for an abstract address ("" for an unnamed Unix socket).
  std::string Host() const;

  // ToString returns "127.0.0.1:80", "[::1]:80", "/path", "@name", or
  // "(unnamed)" for an unbound Unix socket.
  std::string ToString() const;

  // IsAbstract reports whether this is a Linux abstract Unix address.
  bool IsAbstract() const;

  // Unmapped returns an IPv4-mapped IPv6 address (an IPv4 client of a
  // dual-stack socket, ::ffff:192.0.2.7) as the IPv4 address it maps, with
  // the same port; any other address as it is.
  SocketAddress Unmapped() const;

  friend bool operator==(const SocketAddress& a, const SocketAddress& b);

 private:
  struct sockaddr_storage storage_;
  socklen_t len_;
};

enum class Family { kAny, kIPv4, kIPv6 };

struct ResolveOptions {
  Family family = Family::kAny;
  bool numeric = false;  // Only IP literals, no DNS (nc -n).
  bool passive = false;  // For binding: an empty host means the wildcard.
  int socktype = SOCK_STREAM;
};

// Resolve returns the addresses of `host` with `port`, in getaddrinfo order,
// or kNotFound "resolve example.invalid: Name or service not known" (or the
// other getaddrinfo errors), or kInvalidArgument "resolve localhost: not a
// numeric address (-n)" when options.numeric is set and host is a name.
// An empty host is the loopback address, or with options.passive the wildcard
// ("::" first, which is dual-stack, unless options.family is kIPv4).
absl::StatusOr<std::vector<SocketAddress>> Resolve(absl::string_view host, uint16_t port,
                                                   const ResolveOptions& options);

// ResolveListen returns the first address a listener of `socktype` binds
// for `host`:`port` (passive: an empty host is the wildcard), asking DNS
// only when `numeric` is false (then a name fails with kInvalidArgument, as
// Resolve's numeric option does); errors are Resolve's. Servers parse with
// `numeric` set, keep a name, and resolve it when they start.
absl::StatusOr<SocketAddress> ResolveListen(absl::string_view host, uint16_t port, int socktype, bool numeric);

}  // namespace ipckit::net

#endif  // IPCKIT_LIB_NET_ADDRESS_H_
