#include "tools/nc/listen.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "lib/io/eintr.h"
#include "lib/io/fd.h"
#include "lib/net/socket.h"
#include "lib/tls/tls_stream.h"
#include "tools/nc/access.h"
#include "tools/nc/connect.h"
#include "tools/nc/report.h"
#include "tools/nc/secure.h"
#include "tools/nc/temp_socket.h"

namespace ipckit::nc {
namespace {

using net::Listener;
using net::Socket;
using net::SocketAddress;

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
  const Settings& o = L.p.settings;
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
  const Settings& o = L.p.settings;
  // Wait for the first datagram to learn the peer, without consuming it.
  struct pollfd p = {l.fd(), POLLIN, 0};
  (void)io::RetryEintr([&] { return ::poll(&p, 1, -1); });
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
      SecureServer(*L.tls, std::move(conn), L.p, L.log.stream());
  if (!secure.ok()) return secure.status();
  return session.Run(Socket(), false, false, *std::move(secure));
}

// ServeStreams accepts clients: one (without -k), one after another (-k), or
// with -k and --exec/--sh-exec all at once, each on its own thread and child.
absl::Status ServeStreams(Listening& L, std::optional<Listener> l) {
  const Settings& o = L.p.settings;
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

}  // namespace

absl::Status RunListen(const Plan& p, Log& log, SessionLog* session_log) {
  const Settings& o = p.settings;
  const Target& t = p.target;
  absl::StatusOr<std::optional<tls::TlsContext>> tls = MakeTls(p);
  if (!tls.ok()) return tls.status();
  // --allow and --deny's host names are resolved now, before listening.
  AccessList allow = p.allow, deny = p.deny;
  if (absl::Status s = allow.Resolve(o.numeric); !s.ok()) return s;
  if (absl::Status s = deny.Resolve(o.numeric); !s.ok()) return s;
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
  Listening L{p, log, session_log, std::move(*tls), std::move(allow), std::move(deny)};
  ReportListening(L, l->address());
  if (!o.port_file.empty()) {
    absl::Status s = io::WriteFileAtomically(o.port_file, absl::StrCat(l->address().port(), "\n"));
    if (!s.ok()) return s;
  }
  if (o.udp) return ServeDatagrams(L, *l);
  return ServeStreams(L, std::move(*l));
}

}  // namespace ipckit::nc
