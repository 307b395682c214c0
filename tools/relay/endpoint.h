// endpoint.h parses relay's two endpoint arguments, FROM (where clients come
// from) and TO (what each client is connected to):
//
//   FROM  [tcp:]HOST:PORT   tls:HOST:PORT   udp:HOST:PORT   unix:PATH   unix:@NAME
//         unix-dgram:PATH
//         listen-fds (socket activation)   stdio (one session, stdin/stdout)
//   TO    [tcp:]HOST:PORT   tls:HOST:PORT   udp:HOST:PORT   unix:PATH   unix:@NAME
//         unix-dgram:PATH
//         exec:PROGRAM ARGS...   sh:COMMAND LINE
//
// HOST may be a name, an IPv4 address or [IPv6]; a FROM host may be empty
// (":8080" is every address, dual-stack) and its port 0 (one is picked).
//
// Threads: pure parsing: any thread.
#ifndef IPCKIT_TOOLS_RELAY_ENDPOINT_H_
#define IPCKIT_TOOLS_RELAY_ENDPOINT_H_

#include <stdint.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/net/address.h"

namespace ipckit::relay_tool {

enum class Transport { kTcp, kTls, kUdp, kUnix, kUnixDgram, kListenFds, kStdio, kExec };

// IsDatagram reports whether `t` keeps message boundaries (udp:, unix-dgram:).
inline bool IsDatagram(Transport t) { return t == Transport::kUdp || t == Transport::kUnixDgram; }

struct From {
  Transport transport = Transport::kTcp;
  net::SocketAddress address;  // kTcp, kTls, kUdp, kUnix, kUnixDgram (once resolved).
  std::string host;            // A host name ResolveFrom has yet to resolve ("" once it has).
  uint16_t port = 0;
};

struct To {
  Transport transport = Transport::kTcp;
  std::string host;            // kTcp, kTls, kUdp: as given (resolved at start).
  uint16_t port = 0;
  net::SocketAddress address;  // kUnix, kUnixDgram.
  std::vector<std::string> argv;  // kExec (sh: is /bin/sh -c LINE).
};

// ParseFrom parses FROM without touching DNS (a host name is left for
// ResolveFrom), or returns kInvalidArgument: "invalid FROM 'x': expected
// [tcp:|tls:|udp:]HOST:PORT, unix:PATH, listen-fds or stdio".
absl::StatusOr<From> ParseFrom(absl::string_view text);

// ResolveFrom resolves a FROM host name into its address (the first), or
// returns the error: "FROM: resolve x.invalid: Name or service not known".
absl::Status ResolveFrom(From& f);

// ParseTo parses TO, or returns kInvalidArgument: "invalid TO 'x': expected
// [tcp:|tls:|udp:]HOST:PORT, unix:PATH, exec:PROGRAM or sh:COMMAND".
absl::StatusOr<To> ParseTo(absl::string_view text);

// TransportName returns "tcp", "tls", "udp", "unix", "unix-dgram", "listen-fds", "stdio" or "exec".
const char* TransportName(Transport t);

// Describe returns how TO is shown in logs: "127.0.0.1:8080", "tls:host:443", "udp:host:53",
// "/run/docker.sock", "exec:cat".
std::string Describe(const To& to);

}  // namespace ipckit::relay_tool

#endif  // IPCKIT_TOOLS_RELAY_ENDPOINT_H_
