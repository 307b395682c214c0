// datagrams.cc: udp: and unix-dgram: FROM (worker.h). One bound socket takes every client's
// datagrams; each client address gets a UdpSession with its own socket
// connected to TO, so replies find their way back by the socket they come in
// on. Datagram boundaries are kept both ways; a datagram that cannot be sent
// at once is dropped and counted, as a router would.
#include <errno.h>
#include <sys/socket.h>

#include "absl/strings/str_cat.h"
#include "lib/io/eintr.h"
#include "tools/relay/worker.h"

namespace ipckit::relay_tool {
namespace {

constexpr int kBatch = 64;

// UpstreamDatagramSocket returns a non-blocking datagram socket connected to
// `to`; a Unix one is first bound to an autobind (abstract) address, so TO's
// replies have somewhere to go (as nc -uU binds a path for its client).
absl::StatusOr<net::Socket> UpstreamDatagramSocket(const net::SocketAddress& to) {
  if (!to.is_unix()) return net::StartConnect(to, SOCK_DGRAM, {});
  absl::StatusOr<net::Socket> s = net::Socket::Create(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK);
  if (!s.ok()) return s.status();
  sa_family_t family = AF_UNIX;  // Only the family: the kernel picks an abstract name.
  if (::bind(s->fd(), reinterpret_cast<const struct sockaddr*>(&family), sizeof(family)) != 0) {
    return absl::ErrnoToStatus(errno, "bind (autobind)");
  }
  if (::connect(s->fd(), to.get(), to.size()) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("connect ", to.ToString()));
  }
  return s;
}

}  // namespace

void Worker::OnDatagrams(int index, absl::Time now) {
  int fd = listeners_[index].fd;
  for (int i = 0; i < kBatch; ++i) {
    net::SocketAddress peer;
    socklen_t len = net::SocketAddress::capacity();
    ssize_t n = ::recvfrom(fd, scratch_->data(), scratch_->size(), 0, peer.mutable_get(), &len);
    if (n < 0) {
      if (!io::WouldBlock(errno)) Log(absl::StrCat("recvfrom: ", strerror(errno)));
      return;
    }
    peer.set_size(len);
    UdpSession* u = UdpSessionFor(fd, peer, now);
    if (u == nullptr) continue;  // Turned away: dropped.
    u->last_active = now;
    if (::send(u->fd.get(), scratch_->data(), static_cast<size_t>(n), 0) < 0) {
      Add(counters_.datagrams_dropped, 1);
      continue;
    }
    Add(counters_.datagrams_up, 1);
    Add(counters_.bytes_up, static_cast<uint64_t>(n));
  }
}

// UdpSessionFor returns the session of `peer`, starting one (a socket
// connected to TO) for a new client, or nullptr when the client is turned
// away ("down", --max-conns) or the socket cannot be made.
UdpSession* Worker::UdpSessionFor(int listener, const net::SocketAddress& peer, absl::Time now) {
  std::string key(reinterpret_cast<const char*>(peer.get()), peer.size());
  auto it = udp_.find(key);
  if (it != udp_.end()) return it->second.get();
  Add(counters_.accepted, 1);
  if (shared_->table.admission() != Admission::kServe) {
    Add(counters_.refused, 1);
    return nullptr;
  }
  if (plan_.max_conns > 0 && shared_->active.load(std::memory_order_relaxed) >= plan_.max_conns) {
    Add(counters_.rejected, 1);
    return nullptr;
  }
  absl::StatusOr<net::Socket> sock = UpstreamDatagramSocket(plan_.loaded.to_addresses.front());
  if (!sock.ok()) {
    Add(counters_.upstream_failures, 1);
    Log(absl::StrCat(peer.ToString(), ": ", sock.status().message()));
    return nullptr;
  }
  auto u = std::make_unique<UdpSession>();
  u->key = key;
  u->peer = peer;
  u->listener = listener;
  u->fd = sock->Release();
  u->last_active = now;
  u->handle.udp = u.get();
  absl::Status st = sel_->Register(u->fd.get(), selector::kReadable, &u->handle);
  if (!st.ok()) {
    Log(absl::StrCat("watch: ", st.message()));
    return nullptr;
  }
  shared_->active.fetch_add(1, std::memory_order_relaxed);
  Add(counters_.relayed, 1);
  if (plan_.verbose > 0) Log(absl::StrCat("udp session from ", peer.ToString(), " to ", Describe(plan_.to)));
  UdpSession* raw = u.get();
  udp_[key] = std::move(u);
  return raw;
}

void Worker::OnUdpReplies(UdpSession* u, absl::Time now) {
  if (!u->fd) return;  // Closed earlier in this batch.
  for (int i = 0; i < kBatch; ++i) {
    ssize_t n = ::recv(u->fd.get(), scratch_->data(), scratch_->size(), 0);
    if (n < 0) {
      // ECONNREFUSED: TO's port is closed (an ICMP error); the client's
      // next datagram tries again.
      if (!io::WouldBlock(errno) && errno != ECONNREFUSED) Log(absl::StrCat("recv udp: ", strerror(errno)));
      return;
    }
    u->last_active = now;
    if (::sendto(u->listener, scratch_->data(), static_cast<size_t>(n), 0, u->peer.get(), u->peer.size()) < 0) {
      Add(counters_.datagrams_dropped, 1);
      continue;
    }
    Add(counters_.datagrams_down, 1);
    Add(counters_.bytes_down, static_cast<uint64_t>(n));
  }
}

void Worker::CloseUdp(UdpSession* u) {
  if (plan_.verbose > 0) Log(absl::StrCat("udp session from ", u->peer.ToString(), " closed"));
  sel_->Unregister(u->fd.get()).IgnoreError();
  u->fd.reset();
  shared_->active.fetch_sub(1, std::memory_order_relaxed);
  Add(counters_.closed, 1);
  auto it = udp_.find(u->key);
  closed_udp_.push_back(std::move(it->second));
  udp_.erase(it);
}

// SweepUdp closes sessions idle for the UDP idle timeout (all of them at
// InfiniteFuture, when stopping).
void Worker::SweepUdp(absl::Time now) {
  auto last_active = [now](const UdpSession& u) { return now == absl::InfiniteFuture() ? absl::InfinitePast() : u.last_active; };
  for (UdpSession* u : udp_idle_.Expired(now, udp_, last_active)) {
    if (now != absl::InfiniteFuture()) Add(counters_.idle_closed, 1);
    CloseUdp(u);
  }
}

}  // namespace ipckit::relay_tool
