#include "tools/nc/nc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
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
#include "lib/process/exit_status.h"
#include "lib/process/spawn.h"
#include "lib/relay/datagram_stream.h"
#include "lib/relay/relay.h"
#include "lib/relay/stream.h"
#include "lib/tls/tls_stream.h"
#include "tools/nc/access.h"
#include "lib/net/proxy.h"
#include "tools/nc/report.h"
#include "tools/nc/secure.h"
#include "tools/nc/session_log.h"
#include "tools/nc/temp_socket.h"

namespace ipckit::nc {
namespace {

using net::Listener;
using net::Socket;
using net::SocketAddress;

absl::Status Usage(absl::string_view msg) { return absl::InvalidArgumentError(msg); }

// Log writes whole lines to nc's -v stream, one thread at a time (clients of
// -lk --exec are served on threads of their own).
class Log {
 public:
  Log(std::ostream& out, int verbose) : out_(out), verbose_(verbose) {}
  int verbose() const { return verbose_; }
  // Line writes `text` and a newline, and flushes.
  void Line(absl::string_view text) {
    std::lock_guard<std::mutex> lock(mu_);
    out_ << text << std::endl;
  }
  // Warn writes "nc: " and `text`, as err(3)'s warn does.
  void Warn(absl::string_view text) { Line(absl::StrCat("nc: ", text)); }
  // stream is for lib code that writes its own lines (the TLS report).
  std::ostream& stream() { return out_; }

 private:
  std::mutex mu_;
  std::ostream& out_;
  int verbose_;
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

// ProxyProtocolName returns -X's value, or --proxy-type's in -X's words.
absl::StatusOr<std::string> ProxyProtocolName(const Options& o) {
  if (!o.proxy_type) return o.proxy_protocol.value_or("5");
  std::string t = absl::AsciiStrToLower(*o.proxy_type);
  if (t == "http") return std::string("connect");
  if (t == "socks5") return std::string("5");
  return Usage(absl::StrCat("--proxy-type: '", *o.proxy_type,
                            "' is not supported (use http or socks5)"));
}

// PlanProxy parses -x/--proxy (HOST[:PORT]; the port defaults to 1080 for
// SOCKS5 and 3128 for HTTP), the protocol and the credentials.
absl::StatusOr<ProxyPlan> PlanProxy(const Options& o) {
  absl::StatusOr<std::string> name = ProxyProtocolName(o);
  if (!name.ok()) return name.status();
  absl::StatusOr<net::ProxyProtocol> protocol = net::ParseProxyProtocol(*name);
  if (!protocol.ok()) return protocol.status();
  ProxyPlan plan;
  plan.protocol = *protocol;
  const char* flag = o.ncat_proxy ? "--proxy" : "-x";
  absl::StatusOr<net::HostPort> hp = net::SplitHostPort(*o.proxy);
  if ((hp.ok() && (hp->host.empty() || hp->port.empty())) || (absl::StartsWith(*o.proxy, ":") &&
      !absl::StartsWith(*o.proxy, "::")) || (absl::EndsWith(*o.proxy, ":") && !absl::EndsWith(*o.proxy, "::"))) {
    return Usage(absl::StrCat(flag, ": '", *o.proxy, "' needs HOST or HOST:PORT"));
  }
  if (!hp.ok()) hp = net::HostPort{*o.proxy, plan.protocol == net::ProxyProtocol::kSocks5 ? "1080" : "3128"};
  plan.host = hp->host;
  absl::StatusOr<uint16_t> port = net::ParsePort(hp->port);
  if (!port.ok()) return Usage(absl::StrCat(flag, ": ", port.status().message()));
  plan.port = *port;
  if (o.proxy_auth) {
    size_t colon = o.proxy_auth->find(':');
    plan.user = o.proxy_auth->substr(0, colon);
    if (colon != std::string::npos) plan.password = o.proxy_auth->substr(colon + 1);
  } else if (o.proxy_user) {
    plan.user = *o.proxy_user;
  }
  return plan;
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

const char* Proto(const Options& o) { return o.udp ? "udp" : "tcp"; }

// kStdioPipeSize is what a pipe on stdin or stdout is grown to: data
// spliced from a socket arrives in pieces smaller than a page, and a 16-slot
// default pipe then holds a few KiB, so the reader beyond it (cksum, cat)
// wakes for each. Measured: `nc -l | cksum` 785 -> 1135 MB/s (bench/nc_matrix).
constexpr int kStdioPipeSize = 1 << 20;

// StdioGuard makes stdin and stdout non-blocking for the relay (unless they
// are terminals, whose flags the shell shares) and restores them after. A
// pipe is grown to kStdioPipeSize where the system allows (fs.pipe-max-size);
// failing that it stays as it is.
class StdioGuard {
 public:
  StdioGuard() {
    for (int fd : {0, 1}) {
      flags_[fd] = ::fcntl(fd, F_GETFL);
      if (flags_[fd] >= 0 && !::isatty(fd)) io::SetNonBlocking(fd, true).IgnoreError();
      struct stat st;
      if (::fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && ::fcntl(fd, F_GETPIPE_SZ) < kStdioPipeSize) {
        ::fcntl(fd, F_SETPIPE_SZ, kStdioPipeSize);
      }
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

// ExecChild is a process started for --exec/--sh-exec, with pipes to its
// stdin and from its stdout; its stderr is ours.
struct ExecChild {
  process::Child process;
  io::UniqueFd to_child;    // Its stdin.
  io::UniqueFd from_child;  // Its stdout.
};

// SpawnChild starts `argv` as fork and exec would from nc: the signals we
// ignore stay ignored, apart from SIGPIPE (ours, not the child's).
absl::StatusOr<ExecChild> SpawnChild(const std::vector<std::string>& argv) {
  absl::StatusOr<io::Pipe> in = io::MakePipe(O_CLOEXEC);
  if (!in.ok()) return in.status();
  absl::StatusOr<io::Pipe> out = io::MakePipe(O_CLOEXEC);
  if (!out.ok()) return out.status();
  process::SpawnOptions o;
  o.fds = {{0, in->read.get()}, {1, out->write.get()}};
  o.reset_dispositions = false;
  o.default_signals = {SIGPIPE};
  // Its own group, ended as one with its session (Reap), and SIGTERM should
  // nc die first.
  o.new_process_group = true;
  o.parent_death_signal = SIGTERM;
  absl::StatusOr<process::Child> child = process::Spawn(argv, o);
  if (!child.ok()) return child.status();
  ExecChild c{*std::move(child), std::move(in->write), std::move(out->read)};
  for (int fd : {c.to_child.get(), c.from_child.get()}) {
    absl::Status s = io::SetNonBlocking(fd, true);
    if (!s.ok()) return s;
  }
  return c;
}

// Session relays one connection (or one UDP conversation) to stdin/stdout or
// to a child, logs its bytes with --output/--hex-dump, and reports the
// transfer at -vv.
class Session {
 public:
  Session(const Plan& p, Log& log, SessionLog* session_log, bool* stdin_ended)
      : p_(p), o_(p.options), log_(log), session_log_(session_log), stdin_ended_(stdin_ended) {}

  // Run relays `sock`, or `secure` (a TLS stream that owns its socket) when
  // given. It returns OK when the relay finished (also at -w's idle limit),
  // or the relay's error; --idle-timeout's limit is an error.
  absl::Status Run(Socket sock, bool datagram, bool reply_to_sender,
                   std::unique_ptr<relay::Stream> secure = nullptr) {
    absl::Status s;
    std::unique_ptr<relay::Stream> net;
    if (secure) {
      net = std::move(secure);
    } else if (s = io::SetNonBlocking(sock.fd(), true); !s.ok()) {
      return s;
    } else if (datagram) {
      net = std::make_unique<relay::DatagramStream>(sock.fd(), "net", reply_to_sender);
    } else {
      net = std::make_unique<relay::FdStream>(sock.fd(), "net", relay::FdStream::Kind::kSocket);
    }
    std::unique_ptr<relay::Stream> logged;
    if (session_log_ != nullptr) logged = std::make_unique<LoggedStream>(net.get(), session_log_);
    relay::Stream* wire = logged ? logged.get() : net.get();

    relay::RelayOptions r = Policy();
    std::unique_ptr<relay::FdStream> in, out;
    std::optional<ExecChild> child;
    if (!p_.exec_argv.empty()) {
      absl::StatusOr<ExecChild> c = SpawnChild(p_.exec_argv);
      if (!c.ok()) return c.status();
      child = std::move(*c);
      in = std::make_unique<relay::FdStream>(std::move(child->from_child), "child stdout");
      out = std::make_unique<relay::FdStream>(std::move(child->to_child), "child stdin");
      // The child's output ending is the end: send it all, then EOF. The
      // client's EOF closes the child's stdin, also with -k.
      r.read_local = true;
      r.read_net = true;
      r.shutdown_net_on_local_eof = true;
      r.keep_sending_after_net_eof = true;
      r.close_local_output_on_net_eof = true;
      r.quit_after_local_eof = absl::ZeroDuration();
    } else {
      in = std::make_unique<relay::FdStream>(STDIN_FILENO, "stdin");
      out = std::make_unique<relay::FdStream>(STDOUT_FILENO, "stdout");
    }
    relay::RelayStats stats;
    absl::Time start = absl::Now();
    s = relay::Relay({in.get(), out.get()}, {wire, wire}, r, &stats);
    absl::Duration took = absl::Now() - start;
    if (!child.has_value() && stats.local_input_ended) *stdin_ended_ = true;
    if (absl::IsDeadlineExceeded(s)) {
      if (o_.idle_timeout) {
        s = absl::AbortedError(absl::StrCat("idle timeout expired (",
                                            absl::FormatDuration(*o_.idle_timeout), ")"));
      } else {
        // -w after a connection is an idle limit: reaching it ends the session normally.
        if (log_.verbose() > 1) log_.Warn(absl::StrCat(s.message(), ", closing"));
        s = absl::OkStatus();
      }
    }
    if (child.has_value()) {
      in.reset();
      out.reset();
      Reap(child->process);
    }
    if (log_.verbose() > 1) {
      double secs = absl::ToDoubleSeconds(took);
      double rate = secs > 0 ? static_cast<double>(stats.sent + stats.received) / secs / 1e6 : 0;
      log_.Warn(absl::StrFormat("sent %d bytes, received %d bytes in %.3fs (%.1f MB/s)%s",
                                stats.sent, stats.received, secs, rate,
                                stats.spliced ? ", zero-copy" : ""));
    }
    return s;
  }

 private:
  // Policy returns the relay's EOF and timer policy for stdin/stdout.
  relay::RelayOptions Policy() const {
    const std::optional<absl::Duration>& quit = p_.quit_after;
    relay::RelayOptions r;
    r.read_local = !o_.no_stdin && !o_.recv_only && !*stdin_ended_;
    r.read_net = !o_.send_only;
    // Debian: "Specifying a non-negative seconds [to -q] implies -N."
    r.shutdown_net_on_local_eof = (o_.shutdown_on_eof || quit.has_value()) && !o_.no_shutdown;
    r.quit_after_local_eof = quit;
    r.keep_sending_after_net_eof = o_.keep_sending;
    r.close_local_output_on_net_eof = !o_.keep_listening;  // stdout serves the next client too.
    if (o_.timeout) r.idle_timeout = *o_.timeout;
    if (o_.idle_timeout) r.idle_timeout = *o_.idle_timeout;
    r.crlf = o_.crlf;
    r.line_interval = o_.interval;
    return r;
  }

  // Reap ends the child with its session: a second to exit by itself on
  // its stdin's EOF, then its group gets SIGTERM (and SIGCONT), and SIGKILL
  // a second later (an idle timeout must not leave `sleep 30` running). It
  // reports how the child ended at -vv.
  void Reap(process::Child& child) {
    process::ExitStatus status = child.Stop(absl::Seconds(1), /*own_exit=*/absl::Seconds(1));
    if (log_.verbose() > 1) log_.Warn(absl::StrCat("child ", child.pid(), " ", status.Describe()));
  }

  const Plan& p_;
  const Options& o_;
  Log& log_;
  SessionLog* session_log_;
  bool* stdin_ended_;
};

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

absl::StatusOr<net::ConnectOptions> Connecting(const Plan& p, const SocketAddress& first) {
  const Options& o = p.options;
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

// ResolveTarget resolves `host` for `port` as netcat-openbsd does, failing
// with its words: getaddrinfo for host "NAME" port 80: Name or service not
// known.
absl::StatusOr<std::vector<SocketAddress>> ResolveTarget(const Options& o, const std::string& host,
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

// Connection is a connected socket and the address it reached.
struct Connection {
  Socket socket;
  SocketAddress peer;
};

// ConnectEach tries each of `addrs` in turn, as netcat-openbsd's
// remote_connect: at -v each failure but the last is warned ("connect to
// HOST port 9 (tcp) failed: Connection refused"), and with `warn_last` the
// last too. It returns the connection, or the last failure with that line as
// its message (a -s bind failure: "bind failed: REASON"). Each attempt is
// bounded by -w and by `deadline` (--wait-for's), whichever comes first.
absl::StatusOr<Connection> ConnectEach(const Plan& p, const std::string& host, uint16_t port,
                                       const std::vector<SocketAddress>& addrs, Log& log,
                                       bool warn_last, absl::Time deadline = absl::InfiniteFuture()) {
  const Options& o = p.options;
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
  const Options& o = p.options;
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
  const Options& o = p.options;
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
  const Options& o = p.options;
  const Target& t = p.target;
  bool stdin_ended = false;
  Session session(p, log, session_log, &stdin_ended);
  if (!tls.has_value()) return session.Run(std::move(sock), o.udp, false);
  absl::StatusOr<std::unique_ptr<tls::TlsStream>> secure =
      SecureClient(*tls, std::move(sock), o.unix_socket ? "localhost" : t.host, o, log.stream());
  if (!secure.ok()) return secure.status();
  return session.Run(Socket(), false, false, *std::move(secure));
}

// ConnectUnix connects to `t.path`; a datagram client first binds a path of
// its own (printing "Bound on PATH" at -v), so that replies reach it. It
// fails as netcat-openbsd does: "PATH: No such file or directory".
absl::StatusOr<Socket> ConnectUnix(const Plan& p, std::optional<ClientSocketPath>* local, Log& log) {
  const Options& o = p.options;
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
  const Options& o = p.options;
  const Target& t = p.target;
  // TLS files are loaded first: a bad --ssl-trustfile fails before connecting.
  absl::StatusOr<std::optional<tls::TlsContext>> tls = MakeTls(o);
  if (!tls.ok()) return tls.status();
  if (o.proxy) {
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
  const Options& o = p.options;
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

absl::Status RunScan(const Plan& p, Log& log) {
  const Options& o = p.options;
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

// ClientPool runs each client of nc -lk --exec on a thread of its own, at
// most `max` at once.
class ClientPool {
 public:
  explicit ClientPool(int max) : max_(max) {}
  ~ClientPool() {
    for (Worker& w : workers_) w.thread.join();
  }
  // TryStart runs `fn` on a new thread, or returns false when `max` are busy.
  bool TryStart(std::function<void()> fn) {
    Reap();
    if (static_cast<int>(workers_.size()) >= max_) return false;
    auto done = std::make_shared<std::atomic<bool>>(false);
    workers_.push_back(Worker{std::thread([fn = std::move(fn), done] {
                                fn();
                                done->store(true);
                              }),
                              done});
    return true;
  }

 private:
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  // Reap joins the threads that have finished.
  void Reap() {
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (it->done->load()) {
        it->thread.join();
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
  }
  int max_;
  std::list<Worker> workers_;
};

// Listening holds what a listener's clients share.
struct Listening {
  const Plan& p;
  Log& log;
  SessionLog* session_log;
  std::optional<tls::TlsContext> tls;
  AccessList allow, deny;
};

// ReportListening prints netcat-openbsd's lines for a new listener.
void ReportListening(const Listening& L, const SocketAddress& bound) {
  const Options& o = L.p.options;
  if (L.log.verbose() == 0) return;
  if (o.unix_socket) {
    L.log.Line(absl::StrCat("Bound on ", L.p.target.path));
    if (!o.udp) L.log.Line(absl::StrCat("Listening on ", L.p.target.path));
    return;
  }
  L.log.Line(ReportSock(o.udp ? "Bound" : "Listening", bound, o.numeric));
}

// ServeDatagrams serves a UDP or Unix datagram listener: the first sender,
// or with -k every sender (replies go to the latest).
absl::Status ServeDatagrams(Listening& L, Listener& l) {
  const Options& o = L.p.options;
  // Wait for the first datagram to learn the peer, without consuming it.
  struct pollfd p = {l.fd(), POLLIN, 0};
  while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
  SocketAddress peer;
  socklen_t len = SocketAddress::capacity();
  char b;
  if (::recvfrom(l.fd(), &b, 1, MSG_PEEK, peer.mutable_get(), &len) < 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("read ", l.address().ToString()));
  }
  peer.set_size(len);
  Socket sock = std::move(l.socket());
  // An unnamed Unix datagram sender cannot be answered or connected to.
  bool named = peer.size() > sizeof(sa_family_t);
  if (!o.keep_listening) {
    if (named && ::connect(sock.fd(), peer.get(), peer.size()) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("connect ", peer.ToString()));
    }
    if (L.log.verbose() > 0) {
      L.log.Line(ReportSock("Connection received", peer, o.numeric, o.unix_socket ? L.p.target.path : ""));
    }
  }
  bool stdin_ended = false;
  return Session(L.p, L.log, L.session_log, &stdin_ended)
      .Run(std::move(sock), true, o.keep_listening && named);
}

// ServeClient runs one accepted client's session, through TLS with --ssl.
absl::Status ServeClient(Listening& L, Socket conn, bool* stdin_ended) {
  Session session(L.p, L.log, L.session_log, stdin_ended);
  if (!L.tls.has_value()) return session.Run(std::move(conn), false, false);
  absl::StatusOr<std::unique_ptr<tls::TlsStream>> secure =
      SecureServer(*L.tls, std::move(conn), L.p.options, L.log.stream());
  if (!secure.ok()) return secure.status();
  return session.Run(Socket(), false, false, *std::move(secure));
}

// ServeStreams accepts clients: one (without -k), one after another (-k), or
// with -k and --exec/--sh-exec all at once, each on its own thread and child.
absl::Status ServeStreams(Listening& L, std::optional<Listener> l) {
  const Options& o = L.p.options;
  bool concurrent = o.keep_listening && !L.p.exec_argv.empty();
  ClientPool pool(o.max_conns.value_or(100));
  bool stdin_ended = false;
  for (;;) {
    SocketAddress peer;
    absl::StatusOr<Socket> conn = l->Accept(&peer);
    if (!conn.ok()) return conn.status();
    if (peer.is_ip() && !Allowed(L.allow, L.deny, peer)) {
      if (L.log.verbose() > 0) L.log.Warn(ReportSock("Connection denied", peer, o.numeric));
      continue;
    }
    if (L.log.verbose() > 0) {
      L.log.Line(ReportSock("Connection received", peer, o.numeric, o.unix_socket ? L.p.target.path : ""));
    }
    if (concurrent) {
      auto shared = std::make_shared<Socket>(std::move(*conn));
      bool started = pool.TryStart([&L, shared] {
        bool ended = false;
        absl::Status s = ServeClient(L, std::move(*shared), &ended);
        if (!s.ok() && L.log.verbose() > 0) L.log.Warn(s.message());
      });
      if (!started && L.log.verbose() > 0) {
        L.log.Warn(absl::StrCat("--max-conns ", o.max_conns.value_or(100), " reached: client closed"));
      }
      continue;
    }
    // Without -k the listener closes once a client is in, as OpenBSD nc's does.
    if (!o.keep_listening) l.reset();
    absl::Status s = ServeClient(L, std::move(*conn), &stdin_ended);
    if (!o.keep_listening) return s;
    if (!s.ok() && L.log.verbose() > 0) L.log.Warn(s.message());
  }
}

absl::Status RunListen(const Plan& p, Log& log, SessionLog* session_log) {
  const Options& o = p.options;
  const Target& t = p.target;
  absl::StatusOr<std::optional<tls::TlsContext>> tls = MakeTls(o);
  if (!tls.ok()) return tls.status();
  absl::StatusOr<AccessList> allow = AccessList::Parse("--allow", o.allow, o.numeric);
  if (!allow.ok()) return allow.status();
  absl::StatusOr<AccessList> deny = AccessList::Parse("--deny", o.deny, o.numeric);
  if (!deny.ok()) return deny.status();
  absl::StatusOr<std::vector<SocketAddress>> addrs;
  if (o.unix_socket) {
    absl::StatusOr<SocketAddress> a = SocketAddress::Unix(t.path);
    if (!a.ok()) return a.status();
    addrs = std::vector<SocketAddress>{*a};
  } else {
    addrs = net::Resolve(t.host, t.ports[0], Resolving(o, true));
    if (!addrs.ok()) return addrs.status();
  }
  net::ListenOptions lo;
  lo.type = SockType(o);
  lo.socket = p.socket;
  lo.v6only = o.ipv6;  // -6: IPv6 only, so :: refuses IPv4 clients (as ncat -6 -l).
  absl::StatusOr<Listener> l = Listener::ListenAny(*addrs, lo);
  if (!l.ok()) return l.status();
  // A Unix listener's path goes when nc does, a signal included (a -lUu
  // listener ends only by one).
  std::optional<ClientSocketPath> guard;
  if (o.unix_socket && !t.path.empty() && t.path[0] != '@') {
    absl::StatusOr<ClientSocketPath> g = ClientSocketPath::Guard(t.path);
    if (!g.ok()) return g.status();
    guard.emplace(*std::move(g));
  }
  Listening L{p, log, session_log, std::move(*tls), std::move(*allow), std::move(*deny)};
  ReportListening(L, l->address());
  if (!o.port_file.empty()) {
    absl::Status s = io::WriteFileAtomically(o.port_file, absl::StrCat(l->address().port(), "\n"));
    if (!s.ok()) return s;
  }
  if (o.udp) return ServeDatagrams(L, *l);
  return ServeStreams(L, std::move(*l));
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
  if (o.proxy_type || o.proxy_auth) {
    if (!o.proxy) return Usage("--proxy-type and --proxy-auth require --proxy (-x)");
    if (o.proxy_type && o.proxy_protocol) return Usage("cannot use --proxy-type with -X");
    if (o.proxy_auth && o.proxy_user) return Usage("cannot use --proxy-auth with -P");
  }
  if (o.max_conns && !(o.listen && o.keep_listening && exec)) {
    return Usage("--max-conns requires -lk with --exec or --sh-exec (other -k clients are served one at a time)");
  }
  if (!o.allow.empty() || !o.deny.empty()) {
    if (!o.listen || o.udp) return Usage("--allow and --deny require a TCP or Unix stream listener (-l, not -u)");
    if (absl::Status s = AccessList::CheckSyntax("--allow", o.allow); !s.ok()) return s;
    if (absl::Status s = AccessList::CheckSyntax("--deny", o.deny); !s.ok()) return s;
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

absl::StatusOr<Plan> Validate(const Options& given) {
  // ncat's --proxy is -x whose protocol defaults to HTTP, as ncat's does.
  if (given.proxy && given.ncat_proxy) return Usage("cannot use -x with --proxy");
  Options o = given;
  if (o.ncat_proxy) {
    o.proxy = o.ncat_proxy;
    if (!o.proxy_type && !o.proxy_protocol) o.proxy_protocol = "connect";
  }
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
    absl::StatusOr<net::ProxyProtocol> p = net::ParseProxyProtocol(*o.proxy_protocol);
    if (!p.ok()) return p.status();
  }
  if (o.ipv4 && o.ipv6) return Usage("cannot use -4 and -6 together");
  if (o.keep_listening && !o.listen) return Usage("-k requires -l");
  if (o.scan && o.listen) return Usage("cannot use -z with -l");
  if (o.wait_for && (o.listen || o.udp || o.unix_socket || o.proxy)) {
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
  plan.options = o;
  absl::StatusOr<net::SocketOptions> socket = SocketOpts(o);
  if (!socket.ok()) return socket.status();
  plan.socket = *socket;
  absl::StatusOr<std::optional<absl::Duration>> q = QuitAfter(o);
  if (!q.ok()) return q.status();
  plan.quit_after = *q;
  absl::StatusOr<Target> t = ParseTarget(o);
  if (!t.ok()) return t.status();
  plan.target = *std::move(t);
  if (o.proxy) {
    absl::StatusOr<ProxyPlan> proxy = PlanProxy(o);
    if (!proxy.ok()) return proxy.status();
    plan.proxy = *std::move(proxy);
  }
  if (!o.sh_exec.empty()) {
    plan.exec_argv = process::ShellArgv(o.sh_exec);
  } else if (!o.exec.empty()) {
    plan.exec_argv = absl::StrSplit(o.exec, ' ', absl::SkipWhitespace());
    if (plan.exec_argv.empty()) return Usage("--exec: empty command");
  }
  return plan;
}

absl::Status Run(const Plan& p, std::ostream& out) {
  const Options& o = p.options;
  std::unique_ptr<SessionLog> session_log;
  if (!o.output.empty() || !o.hex_dump.empty()) {
    absl::StatusOr<std::unique_ptr<SessionLog>> opened =
        SessionLog::Open(o.output, o.hex_dump, o.append_output);
    if (!opened.ok()) return opened.status();
    session_log = std::move(*opened);
  }
  Log log(out, o.verbose);
  StdioGuard stdio;
  if (o.listen) return RunListen(p, log, session_log.get());
  if (o.scan) return RunScan(p, log);
  return RunConnect(p, log, session_log.get());
}

}  // namespace ipckit::nc
