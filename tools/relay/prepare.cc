#include "tools/relay/prepare.h"

#include <sys/socket.h>

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/net/address.h"

namespace ipckit::relay_tool {

absl::Status Prepare(Plan* p) {
  if (absl::Status s = ResolveFrom(p->from); !s.ok()) return s;
  if (p->server_tls) {
    absl::StatusOr<tls::TlsContext> ctx = tls::TlsContext::Server(*p->server_tls);
    if (!ctx.ok()) return ctx.status();
    p->loaded.server_tls = std::make_shared<const tls::TlsContext>(*std::move(ctx));
  }
  if (p->client_tls) {
    absl::StatusOr<tls::TlsContext> ctx = tls::TlsContext::Client(*p->client_tls);
    if (!ctx.ok()) return ctx.status();
    p->loaded.client_tls = std::make_shared<const tls::TlsContext>(*std::move(ctx));
  }
  if (p->proxy) {
    // The proxy resolves TO's name.
    absl::StatusOr<std::vector<net::SocketAddress>> addrs = net::Resolve(p->proxy_host, p->proxy_port, {});
    if (!addrs.ok()) return absl::Status(addrs.status().code(), absl::StrCat("--proxy: ", addrs.status().message()));
    p->loaded.proxy_addresses = *std::move(addrs);
  } else if (p->to.transport == Transport::kTcp || p->to.transport == Transport::kTls ||
             p->to.transport == Transport::kUdp) {
    net::ResolveOptions ro;
    ro.socktype = p->to.transport == Transport::kUdp ? SOCK_DGRAM : SOCK_STREAM;
    absl::StatusOr<std::vector<net::SocketAddress>> addrs = net::Resolve(p->to.host, p->to.port, ro);
    // A name that does not resolve is a runtime failure (exit 1), as in nc.
    if (!addrs.ok()) return absl::Status(addrs.status().code(), absl::StrCat("TO: ", addrs.status().message()));
    p->loaded.to_addresses = *std::move(addrs);
  } else if (p->to.transport == Transport::kUnix || p->to.transport == Transport::kUnixDgram) {
    p->loaded.to_addresses = {p->to.address};
  }
  return absl::OkStatus();
}

}  // namespace ipckit::relay_tool
