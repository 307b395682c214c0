// proxy.h: the client side of the two proxy protocols OpenBSD nc speaks
// (nc -x/-X, relay --proxy),
// SOCKS5 (RFC 1928, with RFC 1929 user/password) and HTTP CONNECT (RFC 9110
// 9.3.6, Basic auth), on a socket already connected to the proxy. When
// ProxyConnect returns OK the socket is a tunnel to the target; no byte
// beyond the proxy's reply has been read.
//
// Threads: any thread; a handshake runs on the socket it is given, which no
// other thread should use meanwhile.
#ifndef IPCKIT_LIB_NET_PROXY_H_
#define IPCKIT_LIB_NET_PROXY_H_

#include <stdint.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ipckit::net {

enum class ProxyProtocol { kSocks5, kHttpConnect };

// ParseProxyProtocol maps -X's "5" and "connect" to a protocol, or fails with
// kInvalidArgument "-X: unsupported proxy protocol '4' (want 5 or connect)".
absl::StatusOr<ProxyProtocol> ParseProxyProtocol(absl::string_view text);

struct ProxyRequest {
  std::string host;      // The target, as given (names are resolved by the proxy).
  uint16_t port = 0;
  std::string user;      // -P; "" for none.
  std::string password;
};

// ProxyConnect asks the proxy on `fd` (connected, blocking or not) for a
// tunnel, waiting until `deadline`. It fails with kUnavailable for refusals
// ("proxy: CONNECT example.org:443: 403 Forbidden", "proxy: SOCKS5: connection
// refused"), kPermissionDenied when credentials are needed or wrong ("proxy:
// authentication required (407 Proxy Authentication Required)"),
// kDeadlineExceeded "proxy: timed out", or kAborted for a proxy that breaks
// the protocol.
absl::Status ProxyConnect(int fd, ProxyProtocol protocol, const ProxyRequest& request,
                          absl::Time deadline);

// CheckConnectReply judges an HTTP CONNECT reply head (through the blank
// line): OK for 2xx, else the error ProxyConnect returns.
absl::Status CheckConnectReply(absl::string_view head, absl::string_view target);

// Socks5ReplyText returns the RFC 1928 meaning of a reply code
// ("connection refused" for 5).
std::string Socks5ReplyText(uint8_t code);

}  // namespace ipckit::net

#endif  // IPCKIT_LIB_NET_PROXY_H_
