#include "tools/relay/listen.h"

#include <unistd.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/io/fd.h"
#include "lib/net/listening_line.h"

namespace ipckit::relay_tool {

absl::StatusOr<Bound> Listen(const Plan& p) {
  Bound b;
  const char* kind = p.tls_listener ? "+tls" : "";
  if (p.from.transport == Transport::kListenFds) {
    for (int fd : p.listen_fds) {
      (void)io::SetNonBlocking(fd, true);
      (void)io::SetCloseOnExec(fd, true);
      b.fds.push_back({fd, p.tls_listener});
      net::Socket s{io::UniqueFd(::dup(fd))};
      absl::StatusOr<net::SocketAddress> a = s.LocalAddress();
      std::string shown = a.ok() ? a->ToString() : absl::StrCat("fd ", fd);
      b.lines.push_back(net::FormatListeningLine(shown, absl::StrCat(a.ok() && a->is_unix() ? "unix" : "tcp", kind)));
      b.ports.push_back(a.ok() && a->is_ip() ? absl::StrCat(a->port()) : shown);
    }
    return b;
  }
  net::ListenOptions lo;
  lo.backlog = 4096;
  if (IsDatagram(p.from.transport)) lo.type = SOCK_DGRAM;
  absl::StatusOr<net::Listener> l = net::Listener::Listen(p.from.address, lo);
  if (!l.ok()) return l.status();
  absl::Status s = io::SetNonBlocking(l->fd(), true);
  if (!s.ok()) return s;
  bool is_unix = l->address().is_unix();
  bool dgram = IsDatagram(p.from.transport);
  b.fds.push_back({l->fd(), p.tls_listener, dgram});
  const char* transport = p.from.transport == Transport::kTls ? "tcp" : TransportName(p.from.transport);
  b.lines.push_back(net::FormatListeningLine(l->address().ToString(), absl::StrCat(transport, kind)));
  b.ports.push_back(is_unix ? l->address().ToString() : absl::StrCat(l->address().port()));
  b.listeners.push_back(*std::move(l));
  return b;
}

}  // namespace ipckit::relay_tool
