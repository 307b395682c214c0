// listen_spec.h parses echod's listener arguments: "[tls:][tcp:|udp:|unix:|unix-dgram:]ADDR",
// where ADDR is HOST:PORT or [IPV6]:PORT for tcp and udp, and a path or @name
// for the Unix transports.
//
// Threads: pure parsing: any thread.
#ifndef IPCKIT_TOOLS_ECHOD_LISTEN_SPEC_H_
#define IPCKIT_TOOLS_ECHOD_LISTEN_SPEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/net/address.h"

namespace ipckit::echod {

enum class Transport { kTcp, kUdp, kUnix, kUnixDgram };

struct ListenSpec {
  Transport transport = Transport::kTcp;
  net::SocketAddress address;  // Once resolved.
  std::string host;            // A host name ResolveListenSpec has yet to resolve ("" once it has).
  uint16_t port = 0;
  bool tls = false;  // "tls:" before the rest: TLS over a tcp or unix listener.
};

// ParseListenSpec parses one listener argument, with `default_transport` when
// it has no prefix; "tls:" in front (tls:127.0.0.1:0, tls:unix:/p) asks for
// TLS; an empty host is the dual-stack wildcard. It returns kInvalidArgument:
// "invalid listener 'x': expected HOST:PORT or [IPV6]:PORT", "invalid
// listener 'tls:udp:...': TLS needs a stream transport (tcp or unix)".
// It never asks DNS: a host name is left for ResolveListenSpec.
absl::StatusOr<ListenSpec> ParseListenSpec(absl::string_view text, Transport default_transport);

// ResolveListenSpec resolves a listener's host name into its address (the
// first), or returns the error: "resolve x.invalid: Name or service not known".
absl::Status ResolveListenSpec(ListenSpec& spec);

// TransportName returns "tcp", "udp", "unix" or "unix-dgram".
const char* TransportName(Transport t);

// IsStream reports whether `t` is a connection-oriented transport.
inline bool IsStream(Transport t) { return t == Transport::kTcp || t == Transport::kUnix; }

}  // namespace ipckit::echod

#endif  // IPCKIT_TOOLS_ECHOD_LISTEN_SPEC_H_
