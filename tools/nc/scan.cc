#include "tools/nc/scan.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/cli/exit_code.h"
#include "tools/nc/connect.h"
#include "tools/nc/report.h"

namespace ipckit::nc {
namespace {

using net::Socket;
using net::SocketAddress;

// ProbeUdp reports a UDP port closed only when an ICMP port-unreachable comes
// back within `wait` (recv fails with ECONNREFUSED); silence means open.
absl::Status ProbeUdp(const Socket& s, const SocketAddress& addr, absl::Duration wait) {
  if (::send(s.fd(), "", 0, 0) < 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("connect ", addr.ToString()));
  }
  struct pollfd p = {s.fd(), POLLIN, 0};
  int n = ::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(wait)));
  if (n > 0) {
    char b;
    if (::recv(s.fd(), &b, 1, MSG_DONTWAIT) < 0 && errno == ECONNREFUSED) {
      return absl::ErrnoToStatus(errno, absl::StrCat("connect ", addr.ToString()));
    }
  }
  return absl::OkStatus();
}

// ScanPort probes `port` of the host's `addrs` as netcat-openbsd's -z
// does, reporting at -v. It returns OK when the port is open, else the
// (reported) failure.
absl::Status ScanPort(const Plan& p, std::vector<SocketAddress> addrs, uint16_t port, Log& log) {
  const Settings& o = p.settings;
  const Target& t = p.target;
  for (SocketAddress& a : addrs) a.set_port(port);
  absl::StatusOr<Connection> c = ConnectWaiting(p, t.host, port, addrs, log, /*warn_last=*/!o.udp);
  if (!c.ok()) return o.wait_for ? c.status() : cli::Reported(c.status());
  if (o.udp) {
    absl::Status st = ProbeUdp(c->socket, c->peer, o.timeout.value_or(absl::Seconds(1)));
    if (!st.ok()) {
      // netcat-openbsd says nothing of a closed UDP port; -vv does.
      std::string line = ConnectFailed(t.host, port, "udp", HostName(c->peer, true), o.numeric, st);
      if (log.verbose() > 1) log.Warn(line);
      return cli::Reported(absl::Status(st.code(), line));
    }
  }
  if (log.verbose() > 0) {
    log.Line(ConnectionInfo(t.host, port, Proto(o), HostName(c->peer, true), o.numeric, false));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunScan(const Plan& p, Log& log) {
  const Settings& o = p.settings;
  const Target& t = p.target;
  if (o.unix_socket) {
    std::optional<ClientSocketPath> local;
    absl::StatusOr<Socket> s = ConnectUnix(p, &local, log);
    return s.status();
  }
  std::vector<uint16_t> ports = t.ports;
  if (o.random_ports) std::shuffle(ports.begin(), ports.end(), std::mt19937(std::random_device()()));
  // Resolved once, for the first port (a failure is fatal, as in netcat-openbsd).
  absl::StatusOr<std::vector<SocketAddress>> addrs = ResolveTarget(o, t.host, ports.front());
  if (!addrs.ok()) return addrs.status();
  absl::Status last = cli::Reported(absl::NotFoundError("no ports to scan"));
  bool any_open = false;
  for (size_t i = 0; i < ports.size(); ++i) {
    if (i > 0 && o.interval > absl::ZeroDuration()) absl::SleepFor(o.interval);
    absl::Status st = ScanPort(p, *addrs, ports[i], log);
    if (st.ok()) {
      any_open = true;
    } else {
      last = st;
    }
  }
  return any_open ? absl::OkStatus() : last;
}

}  // namespace ipckit::nc
