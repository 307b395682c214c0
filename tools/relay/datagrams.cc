// datagrams.cc: udp: and unix-dgram: FROM (worker.h). One bound socket takes every client's
// datagrams; each client address gets a UdpSession with its own socket
// connected to TO, so replies find their way back by the socket they come in
// on. Datagram boundaries are kept both ways; a datagram that cannot be sent
// at once is dropped and counted, as a router would. Faults (latency,
// bandwidth, loss, duplicate, reorder) go through a DatagramShaper per
// direction; its due datagrams are sent from the loop's timer.
#include <errno.h>
#include <sys/socket.h>

#include <random>
#include <string>
#include <vector>

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
    Forward(u, kUp, absl::string_view(scratch_->data(), static_cast<size_t>(n)), now);
  }
}

// SendDatagram sends one datagram on: up to TO on the session's socket,
// down to the client from the listening socket; it counts it, or counts it
// dropped when it cannot be sent at once.
void Worker::SendDatagram(UdpSession* u, int dir, absl::string_view d) {
  ssize_t n = dir == kUp ? ::send(u->fd.get(), d.data(), d.size(), 0)
                         : ::sendto(u->listener, d.data(), d.size(), 0, u->peer.get(), u->peer.size());
  if (n < 0) {
    Add(counters_.datagrams_dropped, 1);
    return;
  }
  Add(dir == kUp ? counters_.datagrams_up : counters_.datagrams_down, 1);
  Add(dir == kUp ? counters_.bytes_up : counters_.bytes_down, d.size());
}

// Forward sends a datagram on at once, or through the direction's shaper
// when a fault acts on it.
void Worker::Forward(UdpSession* u, int dir, absl::string_view d, absl::Time now) {
  relay::DatagramShaper* shaper = dir == kUp ? u->up.get() : u->down.get();
  if (shaper == nullptr) return SendDatagram(u, dir, d);
  switch (shaper->Offer(d, now, rng_)) {
    case relay::DatagramShaper::Fate::kLost: Add(counters_.datagrams_lost, 1); break;
    case relay::DatagramShaper::Fate::kOverflow: Add(counters_.datagrams_dropped, 1); break;
    case relay::DatagramShaper::Fate::kDuplicated: Add(counters_.datagrams_duplicated, 1); break;
    case relay::DatagramShaper::Fate::kQueued: break;
  }
  FlushUdp(u, now);
}

// FlushUdp sends what `u`'s shapers have due at `now`, and keeps `u` among
// the sessions the loop wakes for while anything waits.
void Worker::FlushUdp(UdpSession* u, absl::Time now) {
  std::vector<std::string> due;
  bool waiting = false;
  for (int dir : {kUp, kDown}) {
    relay::DatagramShaper* shaper = dir == kUp ? u->up.get() : u->down.get();
    if (shaper == nullptr) continue;
    due.clear();
    shaper->TakeDue(now, rng_, &due);
    for (const std::string& d : due) SendDatagram(u, dir, d);
    waiting = waiting || shaper->NextTimer() != absl::InfiniteFuture();
  }
  if (waiting) {
    udp_shaped_.insert(u);
  } else {
    udp_shaped_.erase(u);
  }
}

void Worker::ReleaseDatagrams(absl::Time now) {
  std::vector<UdpSession*> shaped(udp_shaped_.begin(), udp_shaped_.end());
  for (UdpSession* u : shaped) FlushUdp(u, now);
}

absl::Time Worker::NextDatagramRelease() const {
  absl::Time next = absl::InfiniteFuture();
  for (UdpSession* u : udp_shaped_) {
    if (u->up) next = std::min(next, u->up->NextTimer());
    if (u->down) next = std::min(next, u->down->NextTimer());
  }
  return next;
}

// DrawUdpFaults draws the fault table's faults for `u` (each once, by its
// p=) and sets its shapers; a direction keeps its shaper, and what waits in
// it, once it has one.
void Worker::DrawUdpFaults(UdpSession* u, absl::Time now) {
  if (u->faults_version == table_version_ || faults_ == nullptr) return;
  u->faults_version = table_version_;
  std::vector<const Fault*> applied = Draw(u->drawn, now);
  for (int dir : {kUp, kDown}) {
    std::unique_ptr<relay::DatagramShaper>& shaper = dir == kUp ? u->up : u->down;
    relay::DatagramShaping s = DatagramShapingFor(applied, dir);
    if (shaper) {
      shaper->set_shaping(s);
    } else if (s.any()) {
      shaper = std::make_unique<relay::DatagramShaper>(s, plan_.latency_buffer);
    }
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
  DrawUdpFaults(raw, now);
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
    Forward(u, kDown, absl::string_view(scratch_->data(), static_cast<size_t>(n)), now);
  }
}

void Worker::CloseUdp(UdpSession* u) {
  if (plan_.verbose > 0) Log(absl::StrCat("udp session from ", u->peer.ToString(), " closed"));
  sel_->Unregister(u->fd.get()).IgnoreError();
  u->fd.reset();
  udp_shaped_.erase(u);  // What waits in its shapers goes with it.
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
