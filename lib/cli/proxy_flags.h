// proxy_flags.h: the proxy flag group, so that every tool that reaches a
// target through a proxy declares --proxy, --proxy-type and --proxy-auth in
// one place, with one help text and one set of messages, and validates them
// into a ProxyPlan of parsed values (no name is resolved: that is Run's).
//
//   --proxy HOST[:PORT]   the port defaults to 1080 (SOCKS5) or 3128 (HTTP)
//   --proxy-type TYPE     http (or connect) or socks5 (or 5); each tool has
//                         its default (nc: HTTP, as ncat; relay: SOCKS5)
//   --proxy-auth USER[:PASS]
//
// nc also takes OpenBSD's -x/-X/-P, which share the parsers below.
//
// Threads: used from main's thread, as Parser is.
#ifndef IPCKIT_LIB_CLI_PROXY_FLAGS_H_
#define IPCKIT_LIB_CLI_PROXY_FLAGS_H_

#include <stdint.h>

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/cli/options.h"
#include "lib/net/proxy.h"

namespace ipckit::cli {

// ProxyPlan is a proxy to reach a TCP target through, parsed.
struct ProxyPlan {
  std::string host;
  uint16_t port = 0;
  net::ProxyProtocol protocol = net::ProxyProtocol::kSocks5;
  std::string user;                     // "": no authentication.
  std::optional<std::string> password;  // nullopt with a user: asked for (nc) or refused (relay).
};

// ParseProxyType reads a protocol as the tools spell it: http or connect
// (HTTP CONNECT), socks5 or 5 (SOCKS5), in any case; else kInvalidArgument
// "FLAG: 'x' is not supported (use http or socks5)".
absl::StatusOr<net::ProxyProtocol> ParseProxyType(absl::string_view flag, absl::string_view text);

// ParseProxyAddress reads HOST[:PORT] into plan->host and plan->port (by
// default 1080 for SOCKS5 and 3128 for HTTP, so set plan->protocol first),
// or returns kInvalidArgument "FLAG: 'x' needs HOST or HOST:PORT" or
// "FLAG: invalid port 'x'".
absl::Status ParseProxyAddress(absl::string_view flag, const std::string& text, ProxyPlan* plan);

// ParseProxyAuth reads USER[:PASS] into plan->user and plan->password.
void ParseProxyAuth(const std::string& text, ProxyPlan* plan);

class ProxyFlags {
 public:
  // ProxyFlags's --proxy uses `default_protocol` unless --proxy-type says.
  explicit ProxyFlags(net::ProxyProtocol default_protocol) : default_(default_protocol) {}

  // Declare adds --proxy, --proxy-type and --proxy-auth to `p`.
  void Declare(Parser& p);

  bool given() const { return address_ || type_ || auth_; }
  bool has_address() const { return address_.has_value(); }
  bool has_type() const { return type_.has_value(); }
  bool has_auth() const { return auth_.has_value(); }

  // Validate returns the proxy --proxy names (nullopt without any of the
  // flags), or kInvalidArgument: "--proxy-type and --proxy-auth require
  // --proxy", or a parser's error above.
  absl::StatusOr<std::optional<ProxyPlan>> Validate() const;

  // ValidateFor returns the proxy at `address`, given by another flag
  // (`flag`, nc's -x), with --proxy-type (else `protocol`) and --proxy-auth.
  absl::StatusOr<ProxyPlan> ValidateFor(absl::string_view flag, const std::string& address,
                                        net::ProxyProtocol protocol) const;

 private:
  net::ProxyProtocol default_;
  std::optional<std::string> address_, type_, auth_;
};

}  // namespace ipckit::cli

#endif  // IPCKIT_LIB_CLI_PROXY_FLAGS_H_
