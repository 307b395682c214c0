#include "tools/nc/connect.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <termios.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/io/eintr.h"
#include "lib/io/fd.h"
#include "lib/io/unique_fd.h"
#include "lib/net/proxy.h"
#include "lib/tls/tls_stream.h"
#include "tools/nc/report.h"
#include "tools/nc/secure.h"

namespace ipckit::nc {

using net::Socket;
using net::SocketAddress;

net::ResolveOptions Resolving(const Settings& o, bool passive) {
  net::ResolveOptions r;
  r.family = o.ipv4 ? net::Family::kIPv4 : o.ipv6 ? net::Family::kIPv6 : net::Family::kAny;
  r.numeric = o.numeric;
  r.passive = passive;
  r.socktype = o.udp ? SOCK_DGRAM : SOCK_STREAM;
  return r;
}

int SockType(const Settings& o) { return o.udp ? SOCK_DGRAM : SOCK_STREAM; }

const char* Proto(const Settings& o) { return o.udp ? "udp" : "tcp"; }

namespace {

// SendFd passes `fd` over the Unix socket on stdout (nc -F).
absl::Status SendFd(int fd) {
  char byte = 0;
  struct iovec iov = {&byte, 1};
  char control[CMSG_SPACE(sizeof(int))] = {};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
  for (;;) {
    if (io::RetryEintr([&] { return ::sendmsg(STDOUT_FILENO, &msg, 0); }) >= 0) return absl::OkStatus();
    if (errno == EAGAIN) {
      struct pollfd p = {STDOUT_FILENO, POLLOUT, 0};
      ::poll(&p, 1, -1);
      continue;
    }
    return absl::ErrnoToStatus(errno, "-F: pass descriptor on stdout");
  }
}

absl::StatusOr<net::ConnectOptions> Connecting(const Plan& p, const SocketAddress& first) {
  const Settings& o = p.settings;
  net::ConnectOptions c;
  c.type = SockType(o);
  if (o.timeout) c.timeout = *o.timeout;
  c.socket = p.socket;
  if (!o.unix_socket && (!o.source_address.empty() || o.source_port)) {
    net::ResolveOptions r = Resolving(o, /*passive=*/true);
    r.family = first.family() == AF_INET6 ? net::Family::kIPv6 : net::Family::kIPv4;
    absl::StatusOr<std::vector<SocketAddress>> src =
        net::Resolve(o.source_address, static_cast<uint16_t>(o.source_port.value_or(0)), r);
    if (!src.ok()) return src.status();
    c.source = (*src)[0];
  }
  return c;
}

}  // namespace

// ResolveTarget resolves `host` for `port` as netcat-openbsd does, failing
// with its words: getaddrinfo for host "NAME" port 80: Name or service not
// known.
absl::StatusOr<std::vector<SocketAddress>> ResolveTarget(const Settings& o, const std::string& host,
                                                         uint16_t port) {
  absl::StatusOr<std::vector<SocketAddress>> addrs = net::Resolve(host, port, Resolving(o, false));
  if (addrs.ok()) return addrs;
  // -n with a name: getaddrinfo(AI_NUMERICHOST)'s own words, as netcat-openbsd.
  std::string why = absl::StrContains(addrs.status().message(), "not a numeric address")
                        ? "Name or service not known"
                        : Reason(addrs.status());
  return absl::Status(addrs.status().code(),
                      absl::StrCat("getaddrinfo for host \"", host, "\" port ", port, ": ", why));
}

absl::StatusOr<Connection> ConnectEach(const Plan& p, const std::string& host, uint16_t port,
                                       const std::vector<SocketAddress>& addrs, Log& log,
                                       bool warn_last, absl::Time deadline) {
  const Settings& o = p.settings;
  absl::Status last = absl::NotFoundError(absl::StrCat("connect to ", host, ": no addresses"));
  // The options (with -s, a source address of the same family) per family.
  std::optional<net::ConnectOptions> by_family[2];
  for (size_t i = 0; i < addrs.size(); ++i) {
    std::optional<net::ConnectOptions>& copts = by_family[addrs[i].family() == AF_INET6 ? 1 : 0];
    if (!copts) {
      absl::StatusOr<net::ConnectOptions> made = Connecting(p, addrs[i]);
      if (!made.ok()) return made.status();
      copts = *std::move(made);
    }
    net::ConnectOptions bounded = *copts;
    if (deadline != absl::InfiniteFuture()) {
      bounded.timeout = std::min(bounded.timeout, std::max(deadline - absl::Now(), absl::Milliseconds(1)));
    }
    absl::StatusOr<Socket> sock = net::Connect({addrs[i]}, bounded);
    if (sock.ok()) return Connection{std::move(*sock), addrs[i]};
    if (absl::StartsWith(sock.status().message(), "bind")) {
      return absl::Status(sock.status().code(), absl::StrCat("bind failed: ", Reason(sock.status())));
    }
    std::string line =
        ConnectFailed(host, port, Proto(o), HostName(addrs[i], true), o.numeric, sock.status());
    last = absl::Status(sock.status().code(), line);
    if (log.verbose() > 0 && (warn_last || i + 1 < addrs.size())) log.Warn(line);
  }
  return last;
}

// ConnectWaiting is ConnectEach, retried while the port is closed (or a try
// times out) until --wait-for runs out, pausing 10ms, then twice as long
// each time up to 0.5s: wait-for-it with a deadline and no spinning.
// Without --wait-for it is ConnectEach. Once the time is up it returns
// kDeadlineExceeded "127.0.0.1 port 9 (tcp) not open after 2s (last:
// Connection refused)", or "(last: timed out)" when the last try was cut
// short by the deadline; other failures (bind, no route) end it at once.
absl::StatusOr<Connection> ConnectWaiting(const Plan& p, const std::string& host, uint16_t port,
                                          const std::vector<SocketAddress>& addrs, Log& log, bool warn_last) {
  const Settings& o = p.settings;
  if (!o.wait_for) return ConnectEach(p, host, port, addrs, log, warn_last);
  absl::Time deadline = absl::Now() + *o.wait_for;
  absl::Duration pause = absl::Milliseconds(10);
  for (;;) {
    // A try whose SYNs are dropped (a full accept queue, a firewall) would
    // wait for the kernel's retries (about 2 minutes): it gets what is left.
    absl::StatusOr<Connection> c = ConnectEach(p, host, port, addrs, log, false, deadline);
    bool retry = !c.ok() && (absl::IsUnavailable(c.status()) || absl::IsDeadlineExceeded(c.status()));
    if (!retry) return c;
    absl::Time now = absl::Now();
    if (now >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(host, " port ", port, " (", Proto(o), ") not open after ",
                                                      absl::FormatDuration(*o.wait_for), " (last: ",
                                                      absl::IsDeadlineExceeded(c.status()) ? "timed out"
                                                                                           : Reason(c.status()),
                                                      ")"));
    }
    absl::SleepFor(std::min(pause, deadline - now));  // Backoff while the port is closed.
    pause = std::min(pause * 2, absl::Milliseconds(500));
  }
}

namespace {

// ProxyPassword returns the -P password: $NC_PROXY_PASSWORD, else asked on
// the terminal without echo (as OpenBSD nc's readpassphrase).
absl::StatusOr<std::string> ProxyPassword(const std::string& user) {
  if (const char* env = ::getenv("NC_PROXY_PASSWORD")) return std::string(env);
  io::UniqueFd tty(::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY));
  if (!tty) return absl::FailedPreconditionError("-P: no password: set NC_PROXY_PASSWORD or use a terminal");
  struct termios old;
  bool echo_off = ::tcgetattr(tty.get(), &old) == 0;
  if (echo_off) {
    struct termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(tty.get(), TCSAFLUSH, &quiet);
  }
  (void)io::WriteAll(tty.get(), absl::StrCat("Proxy password for ", user, ": "), "write /dev/tty");
  std::string password;
  char c;
  while (::read(tty.get(), &c, 1) == 1 && c != '\n') password += c;
  if (echo_off) ::tcsetattr(tty.get(), TCSAFLUSH, &old);
  (void)io::WriteAll(tty.get(), "\n", "write /dev/tty");
  return password;
}

// ConnectViaProxy connects to the -x proxy and asks it for a tunnel to `t`;
// a user without a password (-P, --proxy-auth USER) is asked for one now.
absl::StatusOr<Socket> ConnectViaProxy(const Plan& p, Log& log) {
  const Settings& o = p.settings;
  const Target& t = p.target;
  const ProxyPlan& proxy = *p.proxy;
  absl::StatusOr<std::vector<SocketAddress>> addrs = ResolveTarget(o, proxy.host, proxy.port);
  if (!addrs.ok()) return addrs.status();
  absl::StatusOr<Connection> c = ConnectEach(p, proxy.host, proxy.port, *addrs, log, false);
  if (!c.ok()) return c.status();
  net::ProxyRequest req;
  req.host = t.host;
  req.port = t.ports[0];
  req.user = proxy.user;
  if (!proxy.user.empty()) {
    absl::StatusOr<std::string> pw = proxy.password ? *proxy.password : ProxyPassword(proxy.user);
    if (!pw.ok()) return pw.status();
    req.password = *pw;
  }
  net::ProxyProtocol protocol = proxy.protocol;
  // The handshake is bounded as the connect is (-w) or, without -w, as an
  // idle session would be (--idle-timeout): a silent proxy never holds nc.
  std::optional<absl::Duration> bound = o.timeout ? o.timeout : o.idle_timeout;
  absl::Time deadline = bound ? absl::Now() + *bound : absl::InfiniteFuture();
  absl::Status s = net::ProxyConnect(c->socket.fd(), protocol, req, deadline);
  if (!s.ok()) return s;
  if (log.verbose() > 0) {
    log.Line(ConnectionInfo(t.host, t.ports[0], "tcp", "", o.numeric, /*via_proxy=*/true));
  }
  if (log.verbose() > 1) {
    log.Warn(absl::StrCat("through ", protocol == net::ProxyProtocol::kSocks5 ? "SOCKS5" : "HTTP CONNECT",
                          " proxy ", proxy.host, ":", proxy.port));
  }
  return std::move(c->socket);
}

// Connected hands a connected stream socket to a session, through TLS with --ssl.
absl::Status Connected(const Plan& p, const std::optional<tls::TlsContext>& tls, Socket sock, Log& log,
                       SessionLog* session_log) {
  const Settings& o = p.settings;
  const Target& t = p.target;
  bool stdin_ended = false;
  Session session(p, log, session_log, &stdin_ended);
  if (!tls.has_value()) return session.Run(std::move(sock), o.udp, false);
  absl::StatusOr<std::unique_ptr<tls::TlsStream>> secure =
      SecureClient(*tls, std::move(sock), o.unix_socket ? "localhost" : t.host, p, log.stream());
  if (!secure.ok()) return secure.status();
  return session.Run(Socket(), false, false, *std::move(secure));
}

}  // namespace

// ConnectUnix connects to `t.path`; a datagram client first binds a path of
// its own (printing "Bound on PATH" at -v), so that replies reach it. It
// fails as netcat-openbsd does: "PATH: No such file or directory".
absl::StatusOr<Socket> ConnectUnix(const Plan& p, std::optional<ClientSocketPath>* local, Log& log) {
  const Settings& o = p.settings;
  const Target& t = p.target;
  absl::StatusOr<SocketAddress> addr = SocketAddress::Unix(t.path);
  if (!addr.ok()) return addr.status();
  absl::StatusOr<net::ConnectOptions> copts = Connecting(p, *addr);
  if (!copts.ok()) return copts.status();
  if (o.udp) {
    absl::StatusOr<ClientSocketPath> path = ClientSocketPath::Create(o.source_address);
    if (!path.ok()) return path.status();
    local->emplace(std::move(*path));
    absl::StatusOr<SocketAddress> mine = SocketAddress::Unix((*local)->path());
    if (!mine.ok()) return mine.status();
    copts->source = *mine;
  }
  absl::StatusOr<Socket> sock = net::Connect({*addr}, *copts);
  if (!sock.ok()) {
    absl::string_view m = sock.status().message();
    if (absl::StartsWith(m, "bind")) return sock.status();
    return absl::Status(sock.status().code(), absl::StrCat(t.path, ": ", Reason(sock.status())));
  }
  if (local->has_value()) {
    (*local)->Bound();
    if (log.verbose() > 0) log.Line(absl::StrCat("Bound on ", (*local)->path()));
  }
  return sock;
}

absl::Status RunConnect(const Plan& p, Log& log, SessionLog* session_log) {
  const Settings& o = p.settings;
  const Target& t = p.target;
  // TLS files are loaded first: a bad --ssl-trustfile fails before connecting.
  absl::StatusOr<std::optional<tls::TlsContext>> tls = MakeTls(p);
  if (!tls.ok()) return tls.status();
  if (p.proxy) {
    absl::StatusOr<Socket> sock = ConnectViaProxy(p, log);
    if (!sock.ok()) return sock.status();
    return Connected(p, *tls, std::move(*sock), log, session_log);
  }
  std::optional<ClientSocketPath> local;
  Socket sock;
  if (o.unix_socket) {
    absl::StatusOr<Socket> s = ConnectUnix(p, &local, log);
    if (!s.ok()) return s.status();
    sock = std::move(*s);
  } else {
    absl::StatusOr<std::vector<SocketAddress>> addrs = ResolveTarget(o, t.host, t.ports[0]);
    if (!addrs.ok()) return addrs.status();
    absl::StatusOr<Connection> c = ConnectWaiting(p, t.host, t.ports[0], *addrs, log, false);
    if (!c.ok()) return c.status();
    // UDP: netcat-openbsd reports only when stdin is a terminal (and then
    // writes probe bytes to the peer, which nc does not).
    if (log.verbose() > 0 && (!o.udp || ::isatty(STDIN_FILENO))) {
      log.Line(ConnectionInfo(t.host, t.ports[0], Proto(o), HostName(c->peer, true), o.numeric,
                              false));
    }
    sock = std::move(c->socket);
  }
  if (o.pass_fd) return SendFd(sock.fd());
  return Connected(p, *tls, std::move(sock), log, session_log);
}

}  // namespace ipckit::nc
