#include "tools/echod/server.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/io/fd.h"
#include "lib/json/json_writer.h"
#include "lib/net/socket.h"
#include "lib/server/lifecycle.h"
#include "tools/echod/worker.h"

namespace ipckit::echod {

using ::ipckit::json::JsonWriter;

std::string FormatStats(const Stats& s, bool json) {
  if (json) {
    return JsonWriter()
        .BeginObject()
        .Key("accepted").Uint(s.accepted)
        .Key("active").Uint(s.active)
        .Key("rejected").Uint(s.rejected)
        .Key("bytes_in").Uint(s.bytes_in)
        .Key("bytes_out").Uint(s.bytes_out)
        .Key("datagrams_in").Uint(s.datagrams_in)
        .Key("datagrams_out").Uint(s.datagrams_out)
        .Key("dropped").Uint(s.dropped)
        .Key("handshakes").Uint(s.handshakes)
        .Key("handshake_failures").Uint(s.handshake_failures)
        .EndObject()
        .str();
  }
  return absl::StrFormat(
      "stats: accepted=%d active=%d rejected=%d bytes_in=%d bytes_out=%d datagrams_in=%d "
      "datagrams_out=%d dropped=%d handshakes=%d handshake_failures=%d",
      s.accepted, s.active, s.rejected, s.bytes_in, s.bytes_out, s.datagrams_in, s.datagrams_out,
      s.dropped, s.handshakes, s.handshake_failures);
}

Server::Server(const ServerOptions& options)
    : options_(options), counters_(std::make_unique<SharedCounters>()) {}

Server::~Server() {
  Stop();
  Wait();
}

absl::StatusOr<std::unique_ptr<Server>> Server::Create(const ServerOptions& options) {
  std::unique_ptr<Server> s(new Server(options));
  for (const ListenSpec& spec : options.listeners) {
    net::ListenOptions lo;
    lo.type = IsStream(spec.transport) ? SOCK_STREAM : SOCK_DGRAM;
    lo.backlog = 4096;
    absl::StatusOr<net::Listener> l = net::Listener::Listen(spec.address, lo);
    if (!l.ok()) return l.status();
    int fd = l->fd();
    if (spec.transport == Transport::kUdp) {
      int one = 1;
      int family = l->address().family();
      if (family == AF_INET) ::setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
      if (family == AF_INET6) {
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
        ::setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));  // IPv4 on a dual-stack socket.
      }
    }
    absl::Status st = io::SetNonBlocking(fd, true);
    if (!st.ok()) return st;
    s->bound_.push_back(Bound{spec.transport, l->address().ToString(), l->address().port(), spec.tls});
    s->transports_.push_back(spec.transport);
    s->tls_.push_back(spec.tls);
    s->fds_.push_back(fd);
    s->listeners_.push_back(std::move(*l));  // Removes its Unix path when the server goes.
  }
  for (int fd : options.inherited_fds) {
    int type = 0;
    socklen_t len = sizeof(type);
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("LISTEN_FDS: fd ", fd));
    }
    net::Socket sock{io::UniqueFd(fd)};
    absl::StatusOr<net::SocketAddress> a = sock.LocalAddress();
    if (!a.ok()) return a.status();
    Transport t = a->is_unix() ? (type == SOCK_STREAM ? Transport::kUnix : Transport::kUnixDgram)
                               : (type == SOCK_STREAM ? Transport::kTcp : Transport::kUdp);
    absl::Status st = io::SetNonBlocking(fd, true);
    if (st.ok()) st = io::SetCloseOnExec(fd, true);
    if (!st.ok()) return st;
    bool tls = options.inherited_tls && IsStream(t);
    s->bound_.push_back(Bound{t, a->ToString(), a->port(), tls});
    s->transports_.push_back(t);
    s->tls_.push_back(tls);
    s->fds_.push_back(fd);
    s->inherited_.push_back(sock.Release());
  }
  if (s->fds_.empty()) return absl::InvalidArgumentError("no listeners");
  for (bool tls : s->tls_) {
    if (tls && !options.tls) return absl::InvalidArgumentError("a TLS listener needs --cert and --key");
  }
  return s;
}

absl::Status Server::Start() {
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    auto w = std::make_unique<Worker>(options_, fds_, transports_, tls_, counters_.get());
    absl::Status s = w->Init();
    if (!s.ok()) return s;
    workers_.push_back(std::move(w));
  }
  for (auto& w : workers_) threads_.emplace_back([w = w.get()] { w->Run(); });
  return absl::OkStatus();
}

void Server::Stop() {
  for (auto& w : workers_) w->RequestStop();
  // The drain refuses new clients at once while the live ones finish.
  std::vector<int> streams;
  for (size_t i = 0; i < fds_.size(); ++i) {
    if (transports_[i] == Transport::kTcp || transports_[i] == Transport::kUnix) streams.push_back(fds_[i]);
  }
  server::StopListening(streams);
}

void Server::Wait() {
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

Stats Server::stats() const {
  Stats s;
  s.active = counters_->active.load();
  for (const auto& w : workers_) {
    const WorkerCounters& c = w->counters();
    s.accepted += c.accepted.load(std::memory_order_relaxed);
    s.rejected += c.rejected.load(std::memory_order_relaxed);
    s.bytes_in += c.bytes_in.load(std::memory_order_relaxed);
    s.bytes_out += c.bytes_out.load(std::memory_order_relaxed);
    s.datagrams_in += c.datagrams_in.load(std::memory_order_relaxed);
    s.datagrams_out += c.datagrams_out.load(std::memory_order_relaxed);
    s.dropped += c.dropped.load(std::memory_order_relaxed);
    s.handshakes += c.handshakes.load(std::memory_order_relaxed);
    s.handshake_failures += c.handshake_failures.load(std::memory_order_relaxed);
  }
  return s;
}

}  // namespace ipckit::echod
