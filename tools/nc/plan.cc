// plan.cc: nc's Validate, the flags checked and parsed into a Plan, and
// TosValue (nc.h).
#include "tools/nc/nc.h"

#include <sys/socket.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/cli/values.h"
#include "lib/net/address.h"
#include "lib/net/proxy.h"
#include "lib/process/spawn.h"
#include "tools/nc/access.h"
#include "tools/nc/secure.h"

namespace ipckit::nc {
namespace {

absl::Status Usage(absl::string_view msg) { return absl::InvalidArgumentError(msg); }

absl::StatusOr<Target> ParseTarget(const Options& o) {
  Target t;
  const std::vector<std::string>& a = o.args;
  if (o.unix_socket) {
    if (a.size() != 1) return Usage(a.empty() ? "missing socket path" : "-U takes one PATH");
    t.path = a[0];
    return t;
  }
  auto ports = [&](const std::string& text) -> absl::Status {
    if (o.scan) {
      absl::StatusOr<std::vector<uint16_t>> p = net::ParsePortList(text);
      if (!p.ok()) return p.status();
      t.ports.insert(t.ports.end(), p->begin(), p->end());
    } else {
      absl::StatusOr<uint16_t> p = net::ParsePort(text);
      if (!p.ok()) return p.status();
      t.ports = {*p};
    }
    return absl::OkStatus();
  };
  auto host_port = [&](const std::string& text) -> absl::Status {
    absl::StatusOr<net::HostPort> hp = net::SplitHostPort(text);
    if (!hp.ok()) return hp.status();
    t.host = hp->host;
    return ports(hp->port);
  };
  if (o.listen) {
    if (a.size() > 2) return Usage("too many arguments");
    if (a.empty()) {
      if (!o.source_port) return Usage("missing port to listen on");
      t.ports = {static_cast<uint16_t>(*o.source_port)};
      t.host = o.source_address;
      return t;
    }
    if (o.source_port) return Usage("give the port to listen on once: -p PORT or an argument");
    absl::Status s = a.size() == 2 ? (t.host = a[0], ports(a[1]))
                     : a[0].find(':') != std::string::npos ? host_port(a[0])
                                                           : ports(a[0]);
    if (!s.ok()) return s;
    return t;
  }
  if (a.empty()) return Usage("missing host and port");
  if (a.size() > 2 && !o.scan) return Usage("too many arguments (several ports need -z)");
  if (a.size() == 1 && a[0].find(':') == std::string::npos) return Usage("missing port number");
  absl::Status s = a.size() == 1 ? host_port(a[0]) : (t.host = a[0], absl::OkStatus());
  for (size_t i = 1; s.ok() && i < a.size(); ++i) s = ports(a[i]);
  if (!s.ok()) return s;
  if (t.host.empty()) return Usage("missing host");
  return t;
}

absl::StatusOr<std::optional<absl::Duration>> QuitAfter(const Options& o) {
  if (!o.quit_after.has_value()) return std::optional<absl::Duration>();
  if (!o.quit_after->empty() && (*o.quit_after)[0] == '-') {
    absl::StatusOr<int64_t> n = cli::ParseInt(*o.quit_after);
    if (!n.ok()) return Usage(absl::StrCat("-q: invalid value '", *o.quit_after, "'"));
    return std::optional<absl::Duration>();  // Negative: wait forever, as Debian's nc.
  }
  absl::StatusOr<absl::Duration> d = cli::ParseDuration(*o.quit_after);
  if (!d.ok()) return Usage(absl::StrCat("-q: ", d.status().message()));
  return std::optional<absl::Duration>(*d);
}

// PlanProxy parses -x (with -X and -P, OpenBSD's) or ncat's --proxy (lib/
// cli's proxy group: HTTP unless --proxy-type) into the plan's proxy; the
// group's --proxy-type and --proxy-auth apply to -x too. Each flag is
// parsed once, here.
absl::StatusOr<std::optional<ProxyPlan>> PlanProxy(const Options& o) {
  const cli::ProxyFlags& ncat = o.ncat_proxy;
  if (o.proxy && ncat.has_address()) return Usage("cannot use -x with --proxy");
  if (!o.proxy) {
    if (o.proxy_protocol) return Usage("-X requires -x");
    if (o.proxy_user) return Usage("-P requires -x");
    if (!ncat.has_address() && ncat.given()) return Usage("--proxy-type and --proxy-auth require --proxy (-x)");
  }
  if (ncat.has_type() && o.proxy_protocol) return Usage("cannot use --proxy-type with -X");
  if (ncat.has_auth() && o.proxy_user) return Usage("cannot use --proxy-auth with -P");
  if (!o.proxy) return ncat.Validate();
  net::ProxyProtocol protocol = net::ProxyProtocol::kSocks5;
  if (o.proxy_protocol) {
    absl::StatusOr<net::ProxyProtocol> x = net::ParseProxyProtocol(*o.proxy_protocol);
    if (!x.ok()) return x.status();
    protocol = *x;
  }
  absl::StatusOr<ProxyPlan> plan = ncat.ValidateFor("-x", *o.proxy, protocol);
  if (!plan.ok()) return plan.status();
  if (o.proxy_user) plan->user = *o.proxy_user;
  return std::optional<ProxyPlan>(*std::move(plan));
}

absl::StatusOr<net::SocketOptions> SocketOpts(const Options& o) {
  net::SocketOptions s;
  if (o.tos) {
    absl::StatusOr<int> tos = TosValue(*o.tos);
    if (!tos.ok()) return tos.status();
    s.tos = *tos;
  }
  s.recv_buffer = o.recv_buffer;
  s.send_buffer = o.send_buffer;
  return s;
}

}  // namespace

absl::StatusOr<int> TosValue(const std::string& text) {
  static const std::pair<const char*, int> kKeywords[] = {
      {"lowdelay", 0x10},    {"throughput", 0x08}, {"reliability", 0x04}, {"lowcost", 0x02},
      {"critical", 0xa0},    {"inetcontrol", 0xc0}, {"netcontrol", 0xe0}, {"ef", 0xb8},
  };
  std::string t = absl::AsciiStrToLower(text);
  for (const auto& [name, value] : kKeywords) {
    if (t == name) return value;
  }
  // DSCP classes: afXY = (8X + 2Y) << 2, csN = N << 5.
  if (t.size() == 4 && t.compare(0, 2, "af") == 0 && t[2] >= '1' && t[2] <= '4' && t[3] >= '1' &&
      t[3] <= '3') {
    return ((t[2] - '0') * 8 + (t[3] - '0') * 2) << 2;
  }
  if (t.size() == 3 && t.compare(0, 2, "cs") == 0 && t[2] >= '0' && t[2] <= '7') {
    return (t[2] - '0') << 5;
  }
  int value = -1;
  bool ok = t.compare(0, 2, "0x") == 0 ? absl::SimpleHexAtoi(t.substr(2), &value)
                                       : absl::SimpleAtoi(t, &value);
  if (ok && value >= 0 && value <= 255 && !t.empty() && t[0] != '+' && t[0] != '-') return value;
  return absl::InvalidArgumentError(absl::StrCat(
      "-T: invalid TOS '", text,
      "' (use 0-255, 0xNN, lowdelay, throughput, reliability, lowcost, critical, inetcontrol, "
      "netcontrol, ef, af11-af43, cs0-cs7)"));
}

namespace {

// ValidateNcat checks ncat's long options against the mode.
absl::Status ValidateNcat(const Options& o, bool exec) {
  if (o.max_conns && !(o.listen && o.keep_listening && exec)) {
    return Usage("--max-conns requires -lk with --exec or --sh-exec (other -k clients are served one at a time)");
  }
  if (!o.allow.empty() || !o.deny.empty()) {
    if (!o.listen || o.udp) return Usage("--allow and --deny require a TCP or Unix stream listener (-l, not -u)");
  }
  if (o.append_output && o.output.empty() && o.hex_dump.empty()) {
    return Usage("--append-output requires --output or --hex-dump");
  }
  if ((!o.output.empty() || !o.hex_dump.empty()) && (o.scan || o.pass_fd)) {
    return Usage("cannot use --output or --hex-dump with -z or -F");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Plan> Validate(const Options& o) {
  if (o.flag_e) {
    return Usage("-e is not supported: it means 'exec' only in some netcats; use --exec CMD or "
                 "--sh-exec CMD");
  }
  if (o.flag_c) {
    return Usage("-c is not supported: it means TLS in OpenBSD nc and 'sh -c' in ncat; use "
                 "--sh-exec CMD");
  }
  if (o.flag_t) return Usage("-t (telnet negotiation) is not supported");
  absl::StatusOr<std::optional<TlsPlan>> tls = PlanTls(o);
  if (!tls.ok()) return tls.status();
  absl::StatusOr<std::optional<ProxyPlan>> proxy = PlanProxy(o);
  if (!proxy.ok()) return proxy.status();
  if (proxy->has_value() && (o.listen || o.udp || o.unix_socket || o.scan || o.pass_fd)) {
    return Usage("cannot use -x with -l, -u, -U, -z or -F");  // -x or --proxy.
  }
  if (o.ipv4 && o.ipv6) return Usage("cannot use -4 and -6 together");
  if (o.keep_listening && !o.listen) return Usage("-k requires -l");
  if (o.scan && o.listen) return Usage("cannot use -z with -l");
  if (o.wait_for && (o.listen || o.udp || o.unix_socket || proxy->has_value())) {
    return Usage("--wait-for is for TCP connects: not with -l, -u, -U or -x");
  }
  if (o.pass_fd && (o.listen || o.scan)) return Usage("cannot use -F with -l or -z");
  if (o.unix_socket && (o.ipv4 || o.ipv6 || o.source_port || o.tos)) {
    return Usage("cannot use -4, -6, -p or -T with -U");
  }
  if (o.unix_socket && !o.source_address.empty() && (o.listen || !o.udp)) {
    return Usage("-s with -U names a datagram client's own path: use it with -u, not -l");
  }
  if (o.listen && !o.source_address.empty() && o.args.size() != 0) {
    return Usage("cannot use -s and -l with a host argument");
  }
  if (o.send_only && o.recv_only) return Usage("cannot use --send-only with --recv-only");
  if (o.send_only && o.no_stdin) return Usage("cannot use --send-only with -d");
  if (o.idle_timeout && *o.idle_timeout <= absl::ZeroDuration()) {
    return Usage("--idle-timeout: must be more than 0");
  }
  if (!o.exec.empty() && !o.sh_exec.empty()) return Usage("cannot use --exec with --sh-exec");
  bool exec = !o.exec.empty() || !o.sh_exec.empty();
  if (exec && (o.scan || o.pass_fd || o.send_only || o.recv_only || o.no_stdin)) {
    return Usage("cannot use --exec/--sh-exec with -z, -F, -d, --send-only or --recv-only");
  }
  if (!o.port_file.empty() && !o.listen) return Usage("--port-file requires -l");
  if (o.keep_listening && o.udp && exec) return Usage("cannot use --exec with -u -k");
  if (absl::Status s = ValidateNcat(o, exec); !s.ok()) return s;
  Plan plan;
  plan.settings = static_cast<const Settings&>(o);
  absl::StatusOr<AccessList> allow = AccessList::Parse("--allow", o.allow);
  if (!allow.ok()) return allow.status();
  plan.allow = *std::move(allow);
  absl::StatusOr<AccessList> deny = AccessList::Parse("--deny", o.deny);
  if (!deny.ok()) return deny.status();
  plan.deny = *std::move(deny);
  plan.tls = *std::move(tls);
  absl::StatusOr<net::SocketOptions> socket = SocketOpts(o);
  if (!socket.ok()) return socket.status();
  plan.socket = *socket;
  absl::StatusOr<std::optional<absl::Duration>> q = QuitAfter(o);
  if (!q.ok()) return q.status();
  plan.quit_after = *q;
  absl::StatusOr<Target> t = ParseTarget(o);
  if (!t.ok()) return t.status();
  plan.target = *std::move(t);
  plan.proxy = *std::move(proxy);
  if (!o.sh_exec.empty()) {
    plan.exec_argv = process::ShellArgv(o.sh_exec);
  } else if (!o.exec.empty()) {
    plan.exec_argv = absl::StrSplit(o.exec, ' ', absl::SkipWhitespace());
    if (plan.exec_argv.empty()) return Usage("--exec: empty command");
  }
  return plan;
}

}  // namespace ipckit::nc
