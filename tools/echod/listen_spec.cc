#include "tools/echod/listen_spec.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ipckit::echod {

const char* TransportName(Transport t) {
  switch (t) {
    case Transport::kTcp: return "tcp";
    case Transport::kUdp: return "udp";
    case Transport::kUnix: return "unix";
    case Transport::kUnixDgram: return "unix-dgram";
  }
  return "?";
}

namespace {

int SocketType(Transport t) { return t == Transport::kUdp ? SOCK_DGRAM : SOCK_STREAM; }

}  // namespace

absl::StatusOr<ListenSpec> ParseListenSpec(absl::string_view text, Transport default_transport) {
  ListenSpec spec;
  spec.transport = default_transport;
  absl::string_view rest = text;
  if (absl::StartsWith(rest, "tls:")) {
    spec.tls = true;
    rest.remove_prefix(4);
  }
  for (Transport t : {Transport::kUnixDgram, Transport::kUnix, Transport::kTcp, Transport::kUdp}) {
    std::string prefix = absl::StrCat(TransportName(t), ":");
    if (absl::StartsWith(rest, prefix)) {
      spec.transport = t;
      rest.remove_prefix(prefix.size());
      break;
    }
  }
  if (spec.tls && !IsStream(spec.transport)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid listener '", text, "': TLS needs a stream transport (tcp or unix)"));
  }
  if (spec.transport == Transport::kUnix || spec.transport == Transport::kUnixDgram) {
    absl::StatusOr<net::SocketAddress> a = net::SocketAddress::Unix(rest);
    if (!a.ok()) return absl::InvalidArgumentError(absl::StrCat("invalid listener '", text, "': ", a.status().message()));
    spec.address = *a;
    return spec;
  }
  absl::StatusOr<net::HostPort> hp = net::SplitHostPort(rest);
  if (!hp.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid listener '", text, "': expected HOST:PORT or [IPV6]:PORT"));
  }
  absl::StatusOr<uint16_t> port = net::ParsePort(hp->port);
  if (!port.ok()) return absl::InvalidArgumentError(absl::StrCat("invalid listener '", text, "': ", port.status().message()));
  // A name waits for ResolveListenSpec: parsing never asks DNS.
  absl::StatusOr<net::SocketAddress> a = net::ResolveListen(hp->host, *port, SocketType(spec.transport), true);
  if (a.ok()) {
    spec.address = *a;
  } else {
    spec.host = hp->host;
    spec.port = *port;
  }
  return spec;
}

absl::Status ResolveListenSpec(ListenSpec& spec) {
  if (spec.host.empty()) return absl::OkStatus();
  absl::StatusOr<net::SocketAddress> a = net::ResolveListen(spec.host, spec.port, SocketType(spec.transport), false);
  if (!a.ok()) return a.status();
  spec.address = *a;
  spec.host.clear();
  return absl::OkStatus();
}

}  // namespace ipckit::echod
