#include "tools/relay/stdio.h"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "lib/io/fd.h"
#include "lib/net/proxy.h"
#include "lib/net/socket.h"
#include "lib/process/spawn.h"
#include "lib/relay/relay.h"
#include "lib/tls/cert_info.h"
#include "lib/tls/tls_stream.h"

namespace ipckit::relay_tool {

absl::StatusOr<ExecUpstream> StartExec(const std::vector<std::string>& argv) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return absl::ErrnoToStatus(errno, "socketpair");
  io::UniqueFd ours(sv[0]), theirs(sv[1]);
  process::SpawnOptions o;
  o.fds = {{0, theirs.get()}, {1, theirs.get()}};
  // Its own group, stopped as one when its session ends (sh: grandchildren
  // too), and a parent-death signal should relay die without stopping it.
  o.new_process_group = true;
  o.parent_death_signal = SIGTERM;
  absl::StatusOr<process::Child> child = process::Spawn(argv, o);
  if (!child.ok()) return child.status();
  return ExecUpstream{std::move(ours), *std::move(child)};
}

namespace {

// Upstream is TO, opened: its stream and, for exec:, the child.
struct Upstream {
  std::unique_ptr<io::Stream> stream;
  std::optional<process::Child> child;
};

absl::StatusOr<Upstream> Open(const Plan& p) {
  Upstream u;
  if (p.to.transport == Transport::kExec) {
    absl::StatusOr<ExecUpstream> e = StartExec(p.to.argv);
    if (!e.ok()) return e.status();
    u.child = std::move(e->child);
    u.stream = std::make_unique<io::FdStream>(std::move(e->socket), "server", io::FdStream::Kind::kSocket);
    return u;
  }
  net::ConnectOptions co;
  co.timeout = p.connect_timeout;
  absl::StatusOr<net::Socket> sock = net::Connect(p.proxy ? p.loaded.proxy_addresses : p.loaded.to_addresses, co);
  if (!sock.ok()) return sock.status();
  if (p.proxy) {
    net::ProxyRequest req{p.to.host, p.to.port, p.proxy_user, p.proxy_password};
    absl::Status s = net::ProxyConnect(sock->fd(), p.proxy_protocol, req, absl::Now() + p.connect_timeout);
    if (!s.ok()) return s;
  }
  if (p.to.transport != Transport::kTls) {
    u.stream = std::make_unique<io::FdStream>(sock->Release(), "server", io::FdStream::Kind::kSocket);
    return u;
  }
  tls::TlsClientParams params;
  params.server_name = p.server_name;
  params.verify_name = p.verify_name;
  absl::StatusOr<std::unique_ptr<tls::TlsStream>> t = tls::TlsStream::Client(*p.loaded.client_tls, sock->Release(), params,
                                                                             "server");
  if (!t.ok()) return t.status();
  absl::Status s = (*t)->HandshakeUntil(absl::Now() + p.connect_timeout);
  if (s.ok()) s = tls::CheckSpkiPins((*t)->ssl(), p.pins);
  if (!s.ok()) return s;
  u.stream = *std::move(t);
  return u;
}

}  // namespace

absl::Status RunStdio(const Plan& p) {
  absl::StatusOr<Upstream> u = Open(p);
  if (!u.ok()) return u.status();
  io::FdStream in(STDIN_FILENO, "stdin"), out(STDOUT_FILENO, "stdout");
  relay::RelayOptions o;
  o.buffer_size = p.buffer_size;
  o.shutdown_net_on_local_eof = true;       // stdin's EOF is a half-close, as for every FROM.
  o.keep_sending_after_net_eof = true;      // And TO's EOF does not cut stdin short.
  o.idle_timeout = p.idle_timeout;
  absl::Status s = relay::Relay({&in, &out}, {u->stream.get(), u->stream.get()}, o, nullptr);
  u->stream.reset();  // The child sees EOF.
  if (u->child.has_value()) (void)u->child->Wait(absl::Now() + absl::Seconds(5));
  return s;
}

}  // namespace ipckit::relay_tool
