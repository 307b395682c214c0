#include "lib/cli/proxy_flags.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/net/address.h"

namespace ipckit::cli {

absl::StatusOr<net::ProxyProtocol> ParseProxyType(absl::string_view flag, absl::string_view text) {
  std::string t = absl::AsciiStrToLower(text);
  if (t == "http" || t == "connect") return net::ProxyProtocol::kHttpConnect;
  if (t == "socks5" || t == "5") return net::ProxyProtocol::kSocks5;
  return absl::InvalidArgumentError(absl::StrCat(flag, ": '", text, "' is not supported (use http or socks5)"));
}

absl::Status ParseProxyAddress(absl::string_view flag, const std::string& text, ProxyPlan* plan) {
  absl::StatusOr<net::HostPort> hp = net::SplitHostPort(text);
  // "HOST:" and ":PORT" name half a proxy; "::1" (an IPv6 host) does not.
  if ((hp.ok() && (hp->host.empty() || hp->port.empty())) || (absl::StartsWith(text, ":") && !absl::StartsWith(text, "::")) ||
      (absl::EndsWith(text, ":") && !absl::EndsWith(text, "::"))) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": '", text, "' needs HOST or HOST:PORT"));
  }
  if (!hp.ok()) hp = net::HostPort{text, plan->protocol == net::ProxyProtocol::kSocks5 ? "1080" : "3128"};
  absl::StatusOr<uint16_t> port = net::ParsePort(hp->port);
  if (!port.ok()) return absl::InvalidArgumentError(absl::StrCat(flag, ": ", port.status().message()));
  plan->host = hp->host;
  plan->port = *port;
  return absl::OkStatus();
}

void ParseProxyAuth(const std::string& text, ProxyPlan* plan) {
  size_t colon = text.find(':');
  plan->user = text.substr(0, colon);
  if (colon != std::string::npos) plan->password = text.substr(colon + 1);
}

void ProxyFlags::Declare(Parser& p) {
  p.String(0, "proxy", "HOST[:PORT]",
           absl::StrCat("reach the target through this proxy (port: 1080 SOCKS5, 3128 HTTP; default type ",
                        default_ == net::ProxyProtocol::kSocks5 ? "socks5" : "http", ")"),
           &address_)
      .String(0, "proxy-type", "TYPE", "proxy protocol: http (HTTP CONNECT) or socks5", &type_)
      .String(0, "proxy-auth", "USER[:PASS]", "proxy credentials (SOCKS5 user/password, HTTP Basic)", &auth_);
}

absl::StatusOr<ProxyPlan> ProxyFlags::ValidateFor(absl::string_view flag, const std::string& address,
                                                  net::ProxyProtocol protocol) const {
  ProxyPlan plan;
  plan.protocol = protocol;
  if (type_) {
    absl::StatusOr<net::ProxyProtocol> t = ParseProxyType("--proxy-type", *type_);
    if (!t.ok()) return t.status();
    plan.protocol = *t;
  }
  if (absl::Status s = ParseProxyAddress(flag, address, &plan); !s.ok()) return s;
  if (auth_) ParseProxyAuth(*auth_, &plan);
  return plan;
}

absl::StatusOr<std::optional<ProxyPlan>> ProxyFlags::Validate() const {
  if (!address_) {
    if (type_ || auth_) return absl::InvalidArgumentError("--proxy-type and --proxy-auth require --proxy");
    return std::optional<ProxyPlan>();
  }
  absl::StatusOr<ProxyPlan> plan = ValidateFor("--proxy", *address_, default_);
  if (!plan.ok()) return plan.status();
  return std::optional<ProxyPlan>(*std::move(plan));
}

}  // namespace ipckit::cli
