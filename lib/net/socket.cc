#include "lib/net/socket.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <unistd.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/io/eintr.h"
#include "lib/io/fd.h"
#include "lib/io/wait.h"

namespace ipckit::net {
namespace {

absl::Status SetInt(int fd, int level, int name, int value, const char* what) {
  if (::setsockopt(fd, level, name, &value, sizeof(value)) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("setsockopt ", what));
  }
  return absl::OkStatus();
}

// WaitConnected waits until the non-blocking connect on `fd` completes or
// `timeout` passes, and returns its result.
absl::Status WaitConnected(int fd, const SocketAddress& addr, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    struct pollfd pfd = {fd, POLLOUT, 0};
    int n = ::poll(&pfd, 1, io::PollTimeoutMs(timeout == absl::InfiniteDuration() ? absl::InfiniteFuture() : deadline));
    if (n < 0 && io::WouldBlock(errno)) continue;  // A signal: wait again, to the same deadline.
    if (n < 0) return absl::ErrnoToStatus(errno, absl::StrCat("connect ", addr.ToString(), ": poll"));
    if (n == 0) {
      return absl::DeadlineExceededError(absl::StrCat("connect ", addr.ToString(), ": timed out after ",
                                                      absl::FormatDuration(timeout)));
    }
    int err = 0;
    socklen_t len = sizeof(err);
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) return absl::ErrnoToStatus(err, absl::StrCat("connect ", addr.ToString()));
    return absl::OkStatus();
  }
}

absl::StatusOr<Socket> ConnectOne(const SocketAddress& addr, const ConnectOptions& options) {
  absl::StatusOr<Socket> s = Socket::Create(addr.family(), options.type);
  if (!s.ok()) return s.status();
  absl::Status st = s->Apply(options.socket);
  if (!st.ok()) return st;
  if (options.source.has_value()) {
    if (options.source->is_ip()) {
      st = SetInt(s->fd(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
      if (!st.ok()) return st;
    }
    st = s->Bind(*options.source);
    if (!st.ok()) return st;
  }
  st = io::SetNonBlocking(s->fd(), true);
  if (!st.ok()) return st;
  // A non-blocking connect interrupted by a signal carries on in the
  // background, like EINPROGRESS; it is never restarted.
  if (::connect(s->fd(), addr.get(), addr.size()) != 0) {
    if (!io::ConnectPending(errno)) {
      return absl::ErrnoToStatus(errno, absl::StrCat("connect ", addr.ToString()));
    }
    st = WaitConnected(s->fd(), addr, options.timeout);
    if (!st.ok()) return st;
  }
  st = io::SetNonBlocking(s->fd(), false);
  if (!st.ok()) return st;
  return s;
}

}  // namespace

absl::StatusOr<Socket> ConnectTo(absl::string_view host_port, const ConnectOptions& options) {
  absl::StatusOr<HostPort> hp = SplitHostPort(host_port);
  if (!hp.ok()) return hp.status();
  absl::StatusOr<uint16_t> port = ParsePort(hp->port);
  if (!port.ok()) return port.status();
  ResolveOptions ro;
  ro.socktype = options.type;
  absl::StatusOr<std::vector<SocketAddress>> addrs = Resolve(hp->host, *port, ro);
  if (!addrs.ok()) return addrs.status();
  return Connect(*addrs, options);
}

absl::StatusOr<Socket> StartConnect(const SocketAddress& addr, int type, const SocketOptions& options) {
  absl::StatusOr<Socket> s = Socket::Create(addr.family(), type);
  if (!s.ok()) return s.status();
  absl::Status st = s->Apply(options);
  if (!st.ok()) return st;
  st = io::SetNonBlocking(s->fd(), true);
  if (!st.ok()) return st;
  if (::connect(s->fd(), addr.get(), addr.size()) != 0 && !io::ConnectPending(errno)) {
    return absl::ErrnoToStatus(errno, absl::StrCat("connect ", addr.ToString()));
  }
  return s;
}

absl::Status FinishConnect(int fd, const SocketAddress& addr) {
  int err = 0;
  socklen_t len = sizeof(err);
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) return absl::ErrnoToStatus(err, absl::StrCat("connect ", addr.ToString()));
  return absl::OkStatus();
}

namespace {

// BoundInThisNamespace reports whether a live socket is bound to `path`,
// from /proc/net/unix (Linux), without connecting to it: a probe connection
// would be accepted by a live one-shot server as its client.
bool BoundInThisNamespace(const std::string& path) {
  std::string table = io::ReadFile("/proc/net/unix").value_or("");
  std::vector<absl::string_view> lines = absl::StrSplit(table, '\n');
  for (size_t i = 1; i < lines.size(); ++i) {  // Past the header.
    absl::string_view line = lines[i];
    // "Num RefCount Protocol Flags Type St Inode Path": the path is the 8th field.
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (fields.size() >= 8 && fields[7] == path) return true;
  }
  return false;
}

// ProbeUnixPath decides whether an existing Unix socket path may be replaced:
// OK only if a connect to it is refused (nothing has it open), an error
// otherwise.
absl::Status ProbeUnixPath(const SocketAddress& addr, int type) {
  std::string path = addr.Host();
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return absl::ErrnoToStatus(errno, absl::StrCat("listen ", path));
  }
  if (!S_ISSOCK(st.st_mode)) {
    return absl::AlreadyExistsError(absl::StrCat("listen ", path, ": exists and is not a socket"));
  }
  if (BoundInThisNamespace(path)) {
    return absl::AlreadyExistsError(
        absl::StrCat("listen ", path, ": a server is already listening there"));
  }
  absl::StatusOr<Socket> probe = Socket::Create(AF_UNIX, type);
  if (!probe.ok()) return probe.status();
  if (::connect(probe->fd(), addr.get(), addr.size()) == 0 || errno == EAGAIN) {
    return absl::AlreadyExistsError(
        absl::StrCat("listen ", path, ": a server is already listening there"));
  }
  if (errno != ECONNREFUSED) return absl::ErrnoToStatus(errno, absl::StrCat("listen ", path));
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return absl::ErrnoToStatus(errno, absl::StrCat("listen ", path, ": unlink stale socket"));
  }
  return absl::OkStatus();
}

// FirstThatWorks returns `attempt` of the first of `addrs` that succeeds, or
// the last failure ("VERB: no addresses" if there are none).
template <typename T, typename Attempt>
absl::StatusOr<T> FirstThatWorks(const std::vector<SocketAddress>& addrs, absl::string_view verb,
                                 Attempt attempt) {
  absl::Status last = absl::NotFoundError(absl::StrCat(verb, ": no addresses"));
  for (const SocketAddress& addr : addrs) {
    absl::StatusOr<T> r = attempt(addr);
    if (r.ok()) return r;
    last = r.status();
  }
  return last;
}

}  // namespace

absl::StatusOr<Socket> Socket::Create(int family, int type) {
  int fd = ::socket(family, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket");
  return Socket(io::UniqueFd(fd));
}

absl::StatusOr<SocketAddress> Socket::LocalAddress() const {
  SocketAddress a;
  socklen_t len = SocketAddress::capacity();
  if (::getsockname(fd(), a.mutable_get(), &len) != 0) return absl::ErrnoToStatus(errno, "getsockname");
  a.set_size(len);
  return a;
}

absl::StatusOr<SocketAddress> Socket::PeerAddress() const {
  SocketAddress a;
  socklen_t len = SocketAddress::capacity();
  if (::getpeername(fd(), a.mutable_get(), &len) != 0) return absl::ErrnoToStatus(errno, "getpeername");
  a.set_size(len);
  return a;
}

absl::Status SetNoDelay(int fd) {
  int domain = 0;
  socklen_t len = sizeof(domain);
  if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0) return absl::ErrnoToStatus(errno, "SO_DOMAIN");
  int type = 0;
  len = sizeof(type);
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) return absl::ErrnoToStatus(errno, "SO_TYPE");
  if ((domain != AF_INET && domain != AF_INET6) || type != SOCK_STREAM) return absl::OkStatus();
  return SetInt(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
}

absl::Status Socket::Apply(const SocketOptions& o) {
  absl::Status s;
  if (o.reuse_port) s = SetInt(fd(), SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
  if (s.ok() && o.keepalive) s = SetInt(fd(), SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
  if (s.ok() && o.send_buffer) s = SetInt(fd(), SOL_SOCKET, SO_SNDBUF, *o.send_buffer, "SO_SNDBUF");
  if (s.ok() && o.recv_buffer) s = SetInt(fd(), SOL_SOCKET, SO_RCVBUF, *o.recv_buffer, "SO_RCVBUF");
  if (s.ok() && o.tos) {
    absl::StatusOr<SocketAddress> local = LocalAddress();
    if (!local.ok()) return local.status();
    if (local->family() == AF_INET6) {
      s = SetInt(fd(), IPPROTO_IPV6, IPV6_TCLASS, *o.tos, "IPV6_TCLASS");
    } else if (local->family() == AF_INET) {
      s = SetInt(fd(), IPPROTO_IP, IP_TOS, *o.tos, "IP_TOS");
    }
  }
  return s;
}

absl::Status Socket::Bind(const SocketAddress& addr) {
  if (::bind(fd(), addr.get(), addr.size()) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("bind ", addr.ToString()));
  }
  return absl::OkStatus();
}

absl::Status Socket::ShutdownWrite() {
  if (::shutdown(fd(), SHUT_WR) != 0) return absl::ErrnoToStatus(errno, "shutdown");
  return absl::OkStatus();
}

absl::StatusOr<Socket> Connect(const std::vector<SocketAddress>& addrs,
                               const ConnectOptions& options) {
  return FirstThatWorks<Socket>(addrs, "connect",
                                [&](const SocketAddress& a) { return ConnectOne(a, options); });
}

absl::StatusOr<Listener> Listener::Listen(const SocketAddress& addr, const ListenOptions& options) {
  if (addr.is_unix() && !addr.IsAbstract()) {
    absl::Status s = ProbeUnixPath(addr, options.type);
    if (!s.ok()) return s;
  }
  absl::StatusOr<Socket> sock = Socket::Create(addr.family(), options.type);
  if (!sock.ok()) return sock.status();
  Listener l;
  l.socket_ = std::move(*sock);
  int fd = l.socket_.fd();
  absl::Status s;
  if (addr.is_ip()) s = SetInt(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
  if (s.ok() && addr.family() == AF_INET6) {
    s = SetInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, options.v6only ? 1 : 0, "IPV6_V6ONLY");
  }
  // SO_REUSEPORT and buffer sizes must be set before bind(2) and listen(2).
  if (s.ok()) s = l.socket_.Apply(options.socket);
  if (s.ok()) s = l.socket_.Bind(addr);
  if (!s.ok()) return s;
  if (addr.is_unix() && !addr.IsAbstract()) {
    l.unix_path_ = addr.Host();
    struct stat st;
    if (::lstat(l.unix_path_.c_str(), &st) == 0) {
      l.path_dev_ = st.st_dev;
      l.path_ino_ = st.st_ino;
    }
  }
  if (options.type == SOCK_STREAM || options.type == SOCK_SEQPACKET) {
    if (::listen(fd, options.backlog) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("listen ", addr.ToString()));
    }
  }
  absl::StatusOr<SocketAddress> bound = l.socket_.LocalAddress();
  if (!bound.ok()) return bound.status();
  l.address_ = *bound;
  return l;
}

absl::StatusOr<Listener> Listener::ListenAny(const std::vector<SocketAddress>& addrs,
                                             const ListenOptions& options) {
  return FirstThatWorks<Listener>(addrs, "listen",
                                  [&](const SocketAddress& a) { return Listen(a, options); });
}

Listener::Listener(Listener&& other) noexcept { *this = std::move(other); }

Listener& Listener::operator=(Listener&& other) noexcept {
  if (this != &other) {
    RemovePath();
    socket_ = std::move(other.socket_);
    address_ = other.address_;
    unix_path_ = std::move(other.unix_path_);
    other.unix_path_.clear();
    path_dev_ = other.path_dev_;
    path_ino_ = other.path_ino_;
  }
  return *this;
}

Listener::~Listener() { RemovePath(); }

void Listener::RemovePath() {
  if (unix_path_.empty()) return;
  struct stat st;
  if (::lstat(unix_path_.c_str(), &st) == 0 && st.st_dev == path_dev_ && st.st_ino == path_ino_) {
    ::unlink(unix_path_.c_str());
  }
  unix_path_.clear();
}

absl::StatusOr<Socket> Listener::Accept(SocketAddress* peer) {
  for (;;) {
    SocketAddress a;
    socklen_t len = SocketAddress::capacity();
    int fd = io::RetryEintr([&] { return ::accept4(socket_.fd(), a.mutable_get(), &len, SOCK_CLOEXEC); });
    if (fd >= 0) {
      a.set_size(len);
      if (peer != nullptr) *peer = a;
      return Socket(io::UniqueFd(fd));
    }
    // A connection reset while queued: try the next one.
    if (errno == ECONNABORTED) continue;
    return absl::ErrnoToStatus(errno, absl::StrCat("accept on ", address_.ToString()));
  }
}

}  // namespace ipckit::net
