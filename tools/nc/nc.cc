#include "tools/nc/nc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "lib/cli/options.h"
#include "lib/cli/values.h"
#include "lib/io/fd.h"
#include "lib/io/unique_fd.h"
#include "lib/net/address.h"
#include "lib/net/socket.h"
#include "lib/relay/datagram_stream.h"
#include "lib/relay/relay.h"
#include "lib/relay/stream.h"
#include "lib/tls/tls_stream.h"
#include "tools/nc/proxy.h"
#include "tools/nc/secure.h"

extern char** environ;

namespace ipckit::nc {
namespace {

using net::Listener;
using net::Socket;
using net::SocketAddress;

absl::Status Usage(absl::string_view msg) { return absl::InvalidArgumentError(msg); }

// Target is what the arguments name.
struct Target {
  std::string host;             // Empty: loopback to connect, wildcard to listen.
  std::vector<uint16_t> ports;  // One, except for -z.
  std::string path;             // With -U.
};

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
      t.ports = *p;
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
  if (a.size() > 2) return Usage("too many arguments");
  absl::Status s = a.size() == 2 ? (t.host = a[0], ports(a[1])) : host_port(a[0]);
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

net::ResolveOptions Resolving(const Options& o, bool passive) {
  net::ResolveOptions r;
  r.family = o.ipv4 ? net::Family::kIPv4 : o.ipv6 ? net::Family::kIPv6 : net::Family::kAny;
  r.numeric = o.numeric;
  r.passive = passive;
  r.socktype = o.udp ? SOCK_DGRAM : SOCK_STREAM;
  return r;
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

int SockType(const Options& o) { return o.udp ? SOCK_DGRAM : SOCK_STREAM; }

std::string Proto(const Options& o) {
  if (o.unix_socket) return o.udp ? "unix-dgram" : "unix";
  return o.udp ? "udp" : "tcp";
}

// StdioGuard makes stdin and stdout non-blocking for the relay (unless they
// are terminals, whose flags the shell shares) and restores them after.
class StdioGuard {
 public:
  StdioGuard() {
    for (int fd : {0, 1}) {
      flags_[fd] = ::fcntl(fd, F_GETFL);
      if (flags_[fd] >= 0 && !::isatty(fd)) SetNonBlocking(fd, true).IgnoreError();
    }
  }
  ~StdioGuard() {
    for (int fd : {0, 1}) {
      if (flags_[fd] >= 0) ::fcntl(fd, F_SETFL, flags_[fd]);
    }
  }

 private:
  int flags_[2];
};

// Child is a process started for --exec/--sh-exec, with pipes to its stdin
// and from its stdout; its stderr is ours.
struct Child {
  pid_t pid = -1;
  UniqueFd to_child;    // Its stdin.
  UniqueFd from_child;  // Its stdout.
};

absl::StatusOr<Child> SpawnChild(const Options& o) {
  std::vector<std::string> argv;
  if (!o.sh_exec.empty()) {
    argv = {"/bin/sh", "-c", o.sh_exec};
  } else {
    argv = absl::StrSplit(o.exec, ' ', absl::SkipWhitespace());
  }
  if (argv.empty()) return Usage("--exec: empty command");
  absl::StatusOr<Pipe> in = MakePipe(O_CLOEXEC);
  if (!in.ok()) return in.status();
  absl::StatusOr<Pipe> out = MakePipe(O_CLOEXEC);
  if (!out.ok()) return out.status();
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in->read.get(), 0);
  posix_spawn_file_actions_adddup2(&fa, out->write.get(), 1);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t def;
  sigemptyset(&def);
  sigaddset(&def, SIGPIPE);  // We ignore SIGPIPE; the child gets the default.
  posix_spawnattr_setsigdefault(&attr, &def);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (std::string& s : argv) args.push_back(s.data());
  args.push_back(nullptr);
  Child c;
  int rc = ::posix_spawnp(&c.pid, args[0], &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return absl::ErrnoToStatus(rc, absl::StrCat("exec ", argv[0]));
  c.to_child = std::move(in->write);
  c.from_child = std::move(out->read);
  for (int fd : {c.to_child.get(), c.from_child.get()}) {
    absl::Status s = SetNonBlocking(fd, true);
    if (!s.ok()) return s;
  }
  return c;
}

// Session relays one connection (or one UDP conversation) to stdin/stdout or
// to a child, and reports the transfer with -v.
class Session {
 public:
  Session(const Options& o, std::ostream& log, bool* stdin_ended)
      : o_(o), log_(log), stdin_ended_(stdin_ended) {}

  // Run relays `sock`, or `secure` (a TLS stream that owns its socket) when
  // given.
  absl::Status Run(Socket sock, bool datagram, bool reply_to_sender,
                   std::unique_ptr<Stream> secure = nullptr) {
    absl::Status s;
    std::unique_ptr<Stream> net;
    if (secure) {
      net = std::move(secure);
    } else if (s = SetNonBlocking(sock.fd(), true); !s.ok()) {
      return s;
    } else if (datagram) {
      net = std::make_unique<DatagramStream>(sock.fd(), "net", reply_to_sender);
    } else {
      net = std::make_unique<FdStream>(sock.fd(), "net", FdStream::Kind::kSocket);
    }
    absl::StatusOr<std::optional<absl::Duration>> quit = QuitAfter(o_);
    if (!quit.ok()) return quit.status();

    RelayOptions r;
    r.read_local = !o_.no_stdin && !o_.recv_only && !*stdin_ended_;
    r.read_net = !o_.send_only;
    r.shutdown_net_on_local_eof = o_.shutdown_on_eof && !o_.no_shutdown;
    r.quit_after_local_eof = *quit;
    r.keep_sending_after_net_eof = o_.keep_sending;
    r.close_local_output_on_net_eof = !o_.keep_listening;  // stdout serves the next client too.
    if (o_.timeout) r.idle_timeout = *o_.timeout;
    r.crlf = o_.crlf;
    r.line_interval = o_.interval;

    std::unique_ptr<FdStream> in, out;
    std::optional<Child> child;
    if (!o_.exec.empty() || !o_.sh_exec.empty()) {
      absl::StatusOr<Child> c = SpawnChild(o_);
      if (!c.ok()) return c.status();
      child = std::move(*c);
      in = std::make_unique<FdStream>(std::move(child->from_child), "child stdout");
      out = std::make_unique<FdStream>(std::move(child->to_child), "child stdin");
      // The child's output ending is the end: send it all, then EOF.
      r.read_local = true;
      r.read_net = true;
      r.shutdown_net_on_local_eof = true;
      r.keep_sending_after_net_eof = true;
      r.quit_after_local_eof = absl::ZeroDuration();
    } else {
      in = std::make_unique<FdStream>(STDIN_FILENO, "stdin");
      out = std::make_unique<FdStream>(STDOUT_FILENO, "stdout");
    }
    RelayStats stats;
    absl::Time start = absl::Now();
    s = Relay({in.get(), out.get()}, {net.get(), net.get()}, r, &stats);
    absl::Duration took = absl::Now() - start;
    if (!child.has_value() && stats.local_input_ended) *stdin_ended_ = true;
    if (absl::IsDeadlineExceeded(s)) {
      // -w after a connection is an idle limit: reaching it ends the session normally.
      if (o_.verbose > 0) log_ << "nc: " << s.message() << ", closing\n";
      s = absl::OkStatus();
    }
    if (child.has_value()) {
      in.reset();
      out.reset();
      int wstatus = 0;
      while (::waitpid(child->pid, &wstatus, 0) < 0 && errno == EINTR) {
      }
      if (o_.verbose > 0) {
        log_ << "nc: child " << child->pid
             << (WIFSIGNALED(wstatus) ? absl::StrCat(" killed by signal ", WTERMSIG(wstatus))
                                      : absl::StrCat(" exited with status ", WEXITSTATUS(wstatus)))
             << "\n";
      }
    }
    if (o_.verbose > 0) {
      double secs = absl::ToDoubleSeconds(took);
      double rate = secs > 0 ? static_cast<double>(stats.sent + stats.received) / secs / 1e6 : 0;
      log_ << absl::StrFormat("nc: sent %d bytes, received %d bytes in %.3fs (%.1f MB/s)%s\n",
                              stats.sent, stats.received, secs, rate,
                              stats.spliced ? ", zero-copy" : "");
    }
    return s;
  }

 private:
  const Options& o_;
  std::ostream& log_;
  bool* stdin_ended_;
};

absl::StatusOr<std::vector<SocketAddress>> Addresses(const Options& o, const Target& t,
                                                     bool passive) {
  if (o.unix_socket) {
    absl::StatusOr<SocketAddress> a = SocketAddress::Unix(t.path);
    if (!a.ok()) return a.status();
    return std::vector<SocketAddress>{*a};
  }
  return net::Resolve(t.host, t.ports[0], Resolving(o, passive));
}

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
    if (::sendmsg(STDOUT_FILENO, &msg, 0) >= 0) return absl::OkStatus();
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      struct pollfd p = {STDOUT_FILENO, POLLOUT, 0};
      ::poll(&p, 1, -1);
      continue;
    }
    return absl::ErrnoToStatus(errno, "-F: pass descriptor on stdout");
  }
}

absl::StatusOr<net::ConnectOptions> Connecting(const Options& o, const SocketAddress& first) {
  net::ConnectOptions c;
  c.type = SockType(o);
  if (o.timeout) c.timeout = *o.timeout;
  absl::StatusOr<net::SocketOptions> so = SocketOpts(o);
  if (!so.ok()) return so.status();
  c.socket = *so;
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

// Filter keeps the addresses of `family` (the source address's, with -s).
std::vector<SocketAddress> OfFamily(const std::vector<SocketAddress>& addrs, int family) {
  std::vector<SocketAddress> out;
  for (const SocketAddress& a : addrs) {
    if (a.family() == family) out.push_back(a);
  }
  return out;
}

// ProxyPassword returns the -P password: $NC_PROXY_PASSWORD, else asked on
// the terminal without echo (as OpenBSD nc's readpassphrase).
absl::StatusOr<std::string> ProxyPassword(const std::string& user) {
  if (const char* env = ::getenv("NC_PROXY_PASSWORD")) return std::string(env);
  UniqueFd tty(::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY));
  if (!tty) return absl::FailedPreconditionError("-P: no password: set NC_PROXY_PASSWORD or use a terminal");
  struct termios old;
  bool echo_off = ::tcgetattr(tty.get(), &old) == 0;
  if (echo_off) {
    struct termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(tty.get(), TCSAFLUSH, &quiet);
  }
  (void)WriteAll(tty.get(), absl::StrCat("Proxy password for ", user, ": "), "write /dev/tty");
  std::string password;
  char c;
  while (::read(tty.get(), &c, 1) == 1 && c != '\n') password += c;
  if (echo_off) ::tcsetattr(tty.get(), TCSAFLUSH, &old);
  (void)WriteAll(tty.get(), "\n", "write /dev/tty");
  return password;
}

// ConnectViaProxy connects to the -x proxy and asks it for a tunnel to `t`.
absl::StatusOr<Socket> ConnectViaProxy(const Options& o, const Target& t, std::ostream& log) {
  absl::StatusOr<net::HostPort> hp = net::SplitHostPort(*o.proxy);
  if (!hp.ok()) return hp.status();
  absl::StatusOr<uint16_t> port = net::ParsePort(hp->port);
  if (!port.ok()) return port.status();
  absl::StatusOr<std::vector<SocketAddress>> addrs = net::Resolve(hp->host, *port, Resolving(o, false));
  if (!addrs.ok()) return addrs.status();
  absl::StatusOr<net::ConnectOptions> copts = Connecting(o, addrs->front());
  if (!copts.ok()) return copts.status();
  absl::StatusOr<Socket> sock = net::Connect(*addrs, *copts);
  if (!sock.ok()) return sock.status();
  ProxyProtocol protocol = *ParseProxyProtocol(o.proxy_protocol.value_or("5"));
  ProxyRequest req;
  req.host = t.host;
  req.port = t.ports[0];
  if (o.proxy_user) {
    req.user = *o.proxy_user;
    absl::StatusOr<std::string> pw = ProxyPassword(req.user);
    if (!pw.ok()) return pw.status();
    req.password = *pw;
  }
  absl::Time deadline = o.timeout ? absl::Now() + *o.timeout : absl::InfiniteFuture();
  absl::Status s = ProxyConnect(sock->fd(), protocol, req, deadline);
  if (!s.ok()) return s;
  if (o.verbose > 0) {
    log << "nc: connected to " << t.host << ":" << t.ports[0] << " through "
        << (protocol == ProxyProtocol::kSocks5 ? "SOCKS5" : "HTTP CONNECT") << " proxy " << *o.proxy << "\n";
  }
  return sock;
}

// Connected hands a connected stream socket to a session, through TLS with --ssl.
absl::Status Connected(const Options& o, const Target& t, const std::optional<TlsContext>& tls, Socket sock,
                       std::ostream& log) {
  bool stdin_ended = false;
  if (!tls.has_value()) return Session(o, log, &stdin_ended).Run(std::move(sock), o.udp, false);
  absl::StatusOr<std::unique_ptr<TlsStream>> secure =
      SecureClient(*tls, std::move(sock), o.unix_socket ? "localhost" : t.host, o, log);
  if (!secure.ok()) return secure.status();
  return Session(o, log, &stdin_ended).Run(Socket(), false, false, *std::move(secure));
}

absl::Status RunConnect(const Options& o, const Target& t, std::ostream& log) {
  // TLS files are loaded first: a bad --ssl-trustfile fails before connecting.
  absl::StatusOr<std::optional<TlsContext>> tls = MakeTls(o);
  if (!tls.ok()) return tls.status();
  if (o.proxy) {
    absl::StatusOr<Socket> sock = ConnectViaProxy(o, t, log);
    if (!sock.ok()) return sock.status();
    return Connected(o, t, *tls, std::move(*sock), log);
  }
  absl::StatusOr<std::vector<SocketAddress>> addrs = Addresses(o, t, false);
  if (!addrs.ok()) return addrs.status();
  absl::StatusOr<net::ConnectOptions> copts = Connecting(o, addrs->front());
  if (!copts.ok()) return copts.status();
  std::vector<SocketAddress> targets =
      copts->source ? OfFamily(*addrs, copts->source->family()) : *addrs;
  absl::StatusOr<Socket> sock = net::Connect(targets, *copts);
  if (!sock.ok()) return sock.status();
  if (o.verbose > 0) {
    absl::StatusOr<SocketAddress> peer = sock->PeerAddress();
    log << "nc: connected to "
        << (peer.ok() ? peer->ToString() : o.unix_socket ? t.path : targets[0].ToString()) << " ("
        << Proto(o) << ")\n";
  }
  if (o.pass_fd) return SendFd(sock->fd());
  return Connected(o, t, *tls, std::move(*sock), log);
}

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

absl::Status RunScan(const Options& o, const Target& t, std::ostream& log) {
  std::vector<uint16_t> ports = t.ports;
  if (o.random_ports) std::shuffle(ports.begin(), ports.end(), std::mt19937(std::random_device()()));
  absl::Status last = absl::NotFoundError("no ports to scan");
  bool any_open = false;
  for (size_t i = 0; i < ports.size(); ++i) {
    if (i > 0 && o.interval > absl::ZeroDuration()) absl::SleepFor(o.interval);
    net::ResolveOptions r = Resolving(o, false);
    absl::StatusOr<std::vector<SocketAddress>> addrs = net::Resolve(t.host, ports[i], r);
    if (!addrs.ok()) return addrs.status();
    absl::StatusOr<net::ConnectOptions> copts = Connecting(o, addrs->front());
    if (!copts.ok()) return copts.status();
    absl::StatusOr<Socket> s = net::Connect(*addrs, *copts);
    absl::Status st = s.status();
    if (st.ok() && o.udp) {
      st = ProbeUdp(*s, addrs->front(), o.timeout.value_or(absl::Seconds(1)));
    }
    std::string where = absl::StrCat(addrs->front().ToString(), " (", Proto(o), ")");
    if (st.ok()) {
      any_open = true;
      if (o.verbose > 0) log << "nc: " << where << " open\n";
    } else {
      last = st;
      if (o.verbose > 0) {
        absl::string_view why = st.message();
        why = why.substr(why.rfind(": ") == absl::string_view::npos ? 0 : why.rfind(": ") + 2);
        log << "nc: " << where << " closed (" << why << ")\n";
      }
    }
  }
  return any_open ? absl::OkStatus() : last;
}

absl::Status RunListen(const Options& o, const Target& t, std::ostream& log) {
  absl::StatusOr<std::optional<TlsContext>> tls = MakeTls(o);
  if (!tls.ok()) return tls.status();
  absl::StatusOr<std::vector<SocketAddress>> addrs = Addresses(o, t, true);
  if (!addrs.ok()) return addrs.status();
  net::ListenOptions lo;
  lo.type = SockType(o);
  absl::StatusOr<net::SocketOptions> so = SocketOpts(o);
  if (!so.ok()) return so.status();
  lo.socket = *so;
  absl::StatusOr<Listener> l = Listener::ListenAny(*addrs, lo);
  if (!l.ok()) return l.status();
  if (o.verbose > 0) log << "nc: listening on " << l->address().ToString() << std::endl;
  if (!o.port_file.empty()) {
    absl::Status s = WriteFileAtomically(o.port_file, absl::StrCat(l->address().port(), "\n"));
    if (!s.ok()) return s;
  }
  bool stdin_ended = false;
  if (o.udp) {
    // Wait for the first datagram to learn the peer, without consuming it.
    struct pollfd p = {l->fd(), POLLIN, 0};
    while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
    }
    SocketAddress peer;
    socklen_t len = SocketAddress::capacity();
    char b;
    if (::recvfrom(l->fd(), &b, 1, MSG_PEEK, peer.mutable_get(), &len) < 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("read ", l->address().ToString()));
    }
    peer.set_size(len);
    if (o.verbose > 0) log << "nc: datagram from " << peer.ToString() << "\n";
    Socket sock = std::move(l->socket());
    // An unnamed Unix datagram sender cannot be answered or connected to.
    bool named = peer.size() > sizeof(sa_family_t);
    if (!o.keep_listening && named && ::connect(sock.fd(), peer.get(), peer.size()) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("connect ", peer.ToString()));
    }
    return Session(o, log, &stdin_ended).Run(std::move(sock), true, o.keep_listening && named);
  }
  for (;;) {
    SocketAddress peer;
    absl::StatusOr<Socket> conn = l->Accept(&peer);
    if (!conn.ok()) return conn.status();
    if (o.verbose > 0) {
      log << "nc: connection from " << (o.unix_socket ? t.path : peer.ToString()) << std::endl;
    }
    // Without -k the listener closes once a client is in, as OpenBSD nc's does.
    if (!o.keep_listening) Listener closed = std::move(*l);
    absl::Status s;
    if (tls->has_value()) {
      absl::StatusOr<std::unique_ptr<TlsStream>> secure = SecureServer(**tls, std::move(*conn), o, log);
      s = secure.ok() ? Session(o, log, &stdin_ended).Run(Socket(), false, false, *std::move(secure))
                      : secure.status();
    } else {
      s = Session(o, log, &stdin_ended).Run(std::move(*conn), false, false);
    }
    if (!o.keep_listening) return s;
    if (!s.ok() && o.verbose > 0) log << "nc: " << s.message() << "\n";
  }
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

absl::Status Validate(const Options& o) {
  if (o.flag_e) {
    return Usage("-e is not supported: it means 'exec' only in some netcats; use --exec CMD or "
                 "--sh-exec CMD");
  }
  if (o.flag_c) {
    return Usage("-c is not supported: it means TLS in OpenBSD nc and 'sh -c' in ncat; use "
                 "--sh-exec CMD");
  }
  if (o.flag_t) return Usage("-t (telnet negotiation) is not supported");
  if (absl::Status s = ValidateTls(o); !s.ok()) return s;
  if (o.proxy_protocol) {
    absl::StatusOr<ProxyProtocol> p = ParseProxyProtocol(*o.proxy_protocol);
    if (!p.ok()) return p.status();
  }
  if (o.ipv4 && o.ipv6) return Usage("cannot use -4 and -6 together");
  if (o.keep_listening && !o.listen) return Usage("-k requires -l");
  if (o.scan && o.listen) return Usage("cannot use -z with -l");
  if (o.pass_fd && (o.listen || o.scan)) return Usage("cannot use -F with -l or -z");
  if (o.unix_socket && (o.ipv4 || o.ipv6 || o.source_port || !o.source_address.empty() || o.tos)) {
    return Usage("cannot use -4, -6, -p, -s or -T with -U");
  }
  if (o.listen && !o.source_address.empty() && o.args.size() != 0) {
    return Usage("cannot use -s and -l with a host argument");
  }
  if (o.send_only && o.recv_only) return Usage("cannot use --send-only with --recv-only");
  if (o.send_only && o.no_stdin) return Usage("cannot use --send-only with -d");
  if (o.shutdown_on_eof && o.no_shutdown) return Usage("cannot use -N with --no-shutdown");
  if (!o.exec.empty() && !o.sh_exec.empty()) return Usage("cannot use --exec with --sh-exec");
  bool exec = !o.exec.empty() || !o.sh_exec.empty();
  if (exec && (o.scan || o.pass_fd || o.send_only || o.recv_only || o.no_stdin)) {
    return Usage("cannot use --exec/--sh-exec with -z, -F, -d, --send-only or --recv-only");
  }
  if (!o.port_file.empty() && !o.listen) return Usage("--port-file requires -l");
  if (o.keep_listening && o.udp && exec) return Usage("cannot use --exec with -u -k");
  if (o.tos) {
    absl::StatusOr<int> tos = TosValue(*o.tos);
    if (!tos.ok()) return tos.status();
  }
  absl::StatusOr<std::optional<absl::Duration>> q = QuitAfter(o);
  if (!q.ok()) return q.status();
  absl::StatusOr<Target> t = ParseTarget(o);
  if (!t.ok()) return t.status();
  return absl::OkStatus();
}

absl::Status Run(const Options& o, std::ostream& log) {
  absl::StatusOr<Target> t = ParseTarget(o);
  if (!t.ok()) return t.status();
  StdioGuard stdio;
  if (o.listen) return RunListen(o, *t, log);
  if (o.scan) return RunScan(o, *t, log);
  return RunConnect(o, *t, log);
}

int ExitCode(const absl::Status& status) {
  if (status.ok()) return cli::kExitOk;
  if (absl::IsDeadlineExceeded(status)) return kExitTimeout;
  if (absl::IsUnauthenticated(status)) return kExitTlsVerify;
  return cli::kExitFailure;
}

}  // namespace ipckit::nc
