#include "tools/relay/endpoint.h"

#include "absl/strings/match.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/process/spawn.h"

namespace ipckit::relay_tool {
namespace {

int SocketType(Transport t) { return t == Transport::kUdp ? SOCK_DGRAM : SOCK_STREAM; }

constexpr char kFromForms[] = "expected [tcp:|tls:|udp:]HOST:PORT, unix:PATH, listen-fds or stdio";
constexpr char kToForms[] = "expected [tcp:|tls:|udp:]HOST:PORT, unix:PATH, exec:PROGRAM or sh:COMMAND";

absl::Status Invalid(absl::string_view which, absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("invalid ", which, " '", text, "': ", why));
}

// StripTransport removes a "tcp:", "tls:", "udp:" or "unix:" prefix and
// returns its transport (kTcp without one).
Transport StripTransport(absl::string_view* rest) {
  if (absl::ConsumePrefix(rest, "tls:")) return Transport::kTls;
  if (absl::ConsumePrefix(rest, "unix:")) return Transport::kUnix;
  if (absl::ConsumePrefix(rest, "unix-dgram:")) return Transport::kUnixDgram;
  if (absl::ConsumePrefix(rest, "udp:")) return Transport::kUdp;
  absl::ConsumePrefix(rest, "tcp:");
  return Transport::kTcp;
}

}  // namespace

const char* TransportName(Transport t) {
  switch (t) {
    case Transport::kTcp: return "tcp";
    case Transport::kUdp: return "udp";
    case Transport::kTls: return "tls";
    case Transport::kUnix: return "unix";
    case Transport::kUnixDgram: return "unix-dgram";
    case Transport::kListenFds: return "listen-fds";
    case Transport::kStdio: return "stdio";
    case Transport::kExec: return "exec";
  }
  return "?";
}

absl::StatusOr<From> ParseFrom(absl::string_view text) {
  From f;
  if (text == "listen-fds" || text == "stdio" || text == "-") {
    f.transport = text == "listen-fds" ? Transport::kListenFds : Transport::kStdio;
    return f;
  }
  absl::string_view rest = text;
  f.transport = StripTransport(&rest);
  if (f.transport == Transport::kUnix || f.transport == Transport::kUnixDgram) {
    absl::StatusOr<net::SocketAddress> a = net::SocketAddress::Unix(rest);
    if (!a.ok()) return Invalid("FROM", text, a.status().message());
    f.address = *a;
    return f;
  }
  absl::StatusOr<net::HostPort> hp = net::SplitHostPort(rest);
  if (!hp.ok()) return Invalid("FROM", text, kFromForms);
  absl::StatusOr<uint16_t> port = net::ParsePort(hp->port);
  if (!port.ok()) return Invalid("FROM", text, port.status().message());
  // A numeric host (or none) is an address now; a name waits for
  // ResolveFrom, so that parsing never touches DNS.
  absl::StatusOr<net::SocketAddress> a = net::ResolveListen(hp->host, *port, SocketType(f.transport), true);
  if (a.ok()) {
    f.address = *a;
  } else {
    f.host = hp->host;
    f.port = *port;
  }
  return f;
}

absl::Status ResolveFrom(From& f) {
  if (f.host.empty()) return absl::OkStatus();
  absl::StatusOr<net::SocketAddress> a = net::ResolveListen(f.host, f.port, SocketType(f.transport), false);
  if (!a.ok()) return absl::Status(a.status().code(), absl::StrCat("FROM: ", a.status().message()));
  f.address = *a;
  f.host.clear();
  return absl::OkStatus();
}

absl::StatusOr<To> ParseTo(absl::string_view text) {
  To t;
  absl::string_view rest = text;
  if (absl::ConsumePrefix(&rest, "exec:") || absl::StartsWith(text, "sh:")) {
    t.transport = Transport::kExec;
    if (absl::ConsumePrefix(&rest, "sh:")) {
      if (absl::StripAsciiWhitespace(rest).empty()) return Invalid("TO", text, "empty command");
      t.argv = process::ShellArgv(rest);
    } else {
      t.argv = absl::StrSplit(rest, ' ', absl::SkipWhitespace());
      if (t.argv.empty()) return Invalid("TO", text, "empty command");
    }
    return t;
  }
  t.transport = StripTransport(&rest);
  if (t.transport == Transport::kUnix || t.transport == Transport::kUnixDgram) {
    absl::StatusOr<net::SocketAddress> a = net::SocketAddress::Unix(rest);
    if (!a.ok()) return Invalid("TO", text, a.status().message());
    t.address = *a;
    return t;
  }
  absl::StatusOr<net::HostPort> hp = net::SplitHostPort(rest);
  if (!hp.ok() || hp->host.empty()) return Invalid("TO", text, kToForms);
  absl::StatusOr<uint16_t> port = net::ParsePort(hp->port);
  if (!port.ok()) return Invalid("TO", text, port.status().message());
  if (*port == 0) return Invalid("TO", text, "port 0 cannot be connected to");
  t.host = hp->host;
  if (absl::StartsWith(t.host, "[") && absl::EndsWith(t.host, "]")) t.host = t.host.substr(1, t.host.size() - 2);
  t.port = *port;
  return t;
}

std::string Describe(const To& to) {
  switch (to.transport) {
    case Transport::kUnix: return to.address.ToString();
    case Transport::kUnixDgram: return absl::StrCat("unix-dgram:", to.address.ToString());
    case Transport::kExec:
      return to.argv.size() == 3 && to.argv[0] == "/bin/sh" ? absl::StrCat("sh:", to.argv[2])
                                                           : absl::StrCat("exec:", absl::StrJoin(to.argv, " "));
    default: break;
  }
  std::string host = absl::StrContains(to.host, ':') ? absl::StrCat("[", to.host, "]") : to.host;
  const char* prefix = to.transport == Transport::kTls ? "tls:" : to.transport == Transport::kUdp ? "udp:" : "";
  return absl::StrCat(prefix, host, ":", to.port);
}

}  // namespace ipckit::relay_tool
