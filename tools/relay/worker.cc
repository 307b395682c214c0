#include "tools/relay/worker.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/io/eintr.h"
#include "lib/io/fd.h"
#include "lib/tls/tls_stream.h"

namespace ipckit::relay_tool {
namespace {

constexpr int kAcceptBatch = 64;

}  // namespace

Worker::Worker(const Plan& plan, Shared* shared, std::vector<ListenerFd> listeners)
    : plan_(plan), shared_(shared), listeners_(std::move(listeners)), rng_(std::random_device{}()) {
  for (size_t i = 0; i < listeners_.size(); ++i) {
    listener_handles_.push_back(Handle{Handle::Kind::kListener, nullptr, static_cast<int>(i)});
  }
  scratch_ = std::make_unique<io::IoBuffer>(std::min<size_t>(plan.buffer_size, 256 * 1024));
}

Worker::~Worker() = default;

absl::Status Worker::Init() {
  absl::StatusOr<std::unique_ptr<selector::Selector>> sel = selector::Selector::Create();
  if (!sel.ok()) return sel.status();
  sel_ = *std::move(sel);
  wake_fd_ = io::UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake_fd_) return absl::ErrnoToStatus(errno, "eventfd");
  absl::Status s = sel_->Register(wake_fd_.get(), selector::kReadable, &wake_handle_);
  if (!s.ok()) return s;
  for (size_t i = 0; i < listeners_.size(); ++i) {
    s = sel_->Register(listeners_[i].fd, 0, &listener_handles_[i]);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

void Worker::Wake() {
  uint64_t one = 1;
  (void)!::write(wake_fd_.get(), &one, sizeof(one));
}

void Worker::RequestStop() {
  stop_requested_.store(true, std::memory_order_release);
  Wake();
}

void Worker::WatchListeners(bool on) {
  if (on == listening_) return;
  listening_ = on;
  for (size_t i = 0; i < listeners_.size(); ++i) {
    sel_->Modify(listeners_[i].fd, on ? selector::kReadable : 0, &listener_handles_[i]).IgnoreError();
  }
}

void Worker::Log(const std::string& line) {
  std::lock_guard<std::mutex> lock(LogMutex());
  *shared_->log << "relay: " << line << std::endl;
}

// Run is the loop: apply fault-table changes, wait for events or the next
// timer, dispatch, then run due timers, re-pump streams holding input, sweep
// idle sessions, reap exec children and free what closed.
void Worker::Run() {
  idle_ = server::IdleSweep(plan_.idle_timeout, absl::Now());
  if (IsDatagram(plan_.from.transport)) udp_idle_ = server::IdleSweep(plan_.udp_idle_timeout, absl::Now());
  for (;;) {
    absl::Time now = absl::Now();
    if (stop_requested_.load(std::memory_order_acquire) && !stopping_) {
      stopping_ = true;
      drain_deadline_ = now + plan_.drain_timeout;
      WatchListeners(false);
    }
    // Stream sessions are drained; datagram sessions have nothing in
    // flight to wait for, and end at once.
    if (stopping_ && (sessions_.empty() || now >= drain_deadline_)) break;
    if (shared_->table.version() != table_version_) ApplyTableChange(now);
    absl::Time deadline = std::min({idle_.next(), udp_idle_.next(), stopping_ ? drain_deadline_ : absl::InfiniteFuture()});
    if (!timers_.empty()) deadline = std::min(deadline, timers_.begin()->first);
    if (!ready_.empty()) deadline = now;
    if (!children_.empty()) deadline = std::min(deadline, now + absl::Milliseconds(100));
    if (!udp_shaped_.empty()) deadline = std::min(deadline, NextDatagramRelease());
    absl::StatusOr<std::vector<selector::Event>> events = sel_->Select(deadline);
    if (!events.ok()) {
      Log(absl::StrCat("select: ", events.status().message()));
      break;
    }
    now = absl::Now();
    for (const selector::Event& e : *events) Dispatch(e, now);
    std::vector<Session*> again;
    again.swap(ready_);
    for (Session* s : again) {
      if (s->state == Session::State::kRelaying) Pump(s, false, false, 0, 0, now);
    }
    RunTimers(now);
    if (!udp_shaped_.empty()) ReleaseDatagrams(now);
    SweepIdle(now);
    if (!children_.empty()) ReapChildren(false);
    closed_.clear();
    closed_udp_.clear();
  }
  std::vector<Session*> left;
  for (auto& [id, s] : sessions_) left.push_back(s.get());
  for (Session* s : left) Close(s, false, "relay stopping");
  closed_.clear();
  SweepUdp(absl::InfiniteFuture());
  closed_udp_.clear();
  ReapChildren(true);
  while (proxy_threads_.load() > 0) absl::SleepFor(absl::Milliseconds(5));  // Each ends by its deadline.
}

void Worker::Dispatch(const selector::Event& e, absl::Time now) {
  if (e.fd == -1) return;  // The selector's own timers are not used.
  Handle* h = static_cast<Handle*>(e.data);
  switch (h->kind) {
    case Handle::Kind::kWake: {
      uint64_t n;
      (void)!::read(wake_fd_.get(), &n, sizeof(n));
      ProxyResults(now);
      return;
    }
    case Handle::Kind::kListener:
      if (listeners_[h->index].datagram) {
        OnDatagrams(h->index, now);
      } else {
        Accept(h->index, now);
      }
      return;
    case Handle::Kind::kUdpUpstream: OnUdpReplies(h->udp, now); return;
    case Handle::Kind::kClient:
    case Handle::Kind::kUpstream: break;
  }
  Session* s = h->session;
  bool client = h->kind == Handle::Kind::kClient;
  switch (s->state) {
    case Session::State::kClientHandshake: ClientHandshake(s, now); return;
    case Session::State::kConnecting: OnConnected(s, now); return;
    case Session::State::kProxy: return;  // Its thread has the socket.
    case Session::State::kUpstreamHandshake: UpstreamHandshake(s, now); return;
    case Session::State::kRelaying:
      Pump(s, client, !client, client ? e.events : 0, client ? 0 : e.events, now);
      return;
    case Session::State::kClosed: return;
  }
}

void Worker::Accept(int index, absl::Time now) {
  for (int i = 0; i < kAcceptBatch; ++i) {
    net::SocketAddress peer;
    socklen_t len = net::SocketAddress::capacity();
    int fd = io::RetryEintr(
        [&] { return ::accept4(listeners_[index].fd, peer.mutable_get(), &len, SOCK_NONBLOCK | SOCK_CLOEXEC); });
    if (fd < 0) {
      if (errno == ECONNABORTED) continue;  // Reset while queued: the next one.
      // EINVAL: the drain shut the listener down under us.
      bool draining = errno == EINVAL && stop_requested_.load(std::memory_order_acquire);
      if (errno != EAGAIN && errno != EWOULDBLOCK && !draining) Log(absl::StrCat("accept: ", strerror(errno)));
      return;
    }
    peer.set_size(len);
    if (plan_.nodelay) (void)net::SetNoDelay(fd);  // A small reply is not held for an ACK.
    Admit(io::UniqueFd(fd), peer.Unmapped(), listeners_[index].tls, now);
  }
}

// Admit starts a session for an accepted client, or turns it away: "down"
// resets or closes it, --max-conns closes it.
void Worker::Admit(io::UniqueFd fd, const net::SocketAddress& peer, bool tls, absl::Time now) {
  Add(counters_.accepted, 1);
  Admission a = shared_->table.admission();
  if (a == Admission::kReset || a == Admission::kClose) {
    if (a == Admission::kReset) Linger0(fd.get());
    Add(counters_.refused, 1);
    if (plan_.verbose > 0) Log(absl::StrCat("refused ", peer.ToString(), " (", AdmissionName(a), ")"));
    return;
  }
  if (plan_.max_conns > 0 && shared_->active.load(std::memory_order_relaxed) >= plan_.max_conns) {
    Add(counters_.rejected, 1);
    if (plan_.verbose > 0) Log(absl::StrCat("rejected ", peer.ToString(), " (--max-conns ", plan_.max_conns, ")"));
    return;
  }
  shared_->active.fetch_add(1, std::memory_order_relaxed);
  auto owned = std::make_unique<Session>();
  Session* s = owned.get();
  s->id = next_id_++;
  s->peer = peer;
  s->started = s->last_active = now;
  sessions_[s->id] = std::move(owned);
  if (tls) {
    absl::StatusOr<std::unique_ptr<tls::TlsStream>> t = tls::TlsStream::Server(*plan_.loaded.server_tls, std::move(fd), "client");
    if (!t.ok()) {
      Close(s, true, std::string(t.status().message()));
      return;
    }
    (*t)->EnableReadAhead();
    s->client = *std::move(t);
    s->state = Session::State::kClientHandshake;
    s->deadline = now + plan_.connect_timeout;
    Schedule(s, s->deadline);
    ClientHandshake(s, now);
    return;
  }
  s->client = std::make_unique<io::FdStream>(std::move(fd), "client", io::FdStream::Kind::kSocket);
  OpenUpstream(s, now);
}

// Schedule puts `s` in the timer queue at `when` (InfiniteFuture: out of it).
void Worker::Schedule(Session* s, absl::Time when) {
  if (when == s->timer) return;
  if (s->timer != absl::InfiniteFuture()) timers_.erase({s->timer, s->id});
  s->timer = when;
  if (when != absl::InfiniteFuture()) timers_.insert({when, s->id});
}

void Worker::RunTimers(absl::Time now) {
  while (!timers_.empty() && timers_.begin()->first <= now) {
    uint64_t id = timers_.begin()->second;
    timers_.erase(timers_.begin());
    auto it = sessions_.find(id);
    if (it == sessions_.end()) continue;
    Session* s = it->second.get();
    s->timer = absl::InfiniteFuture();
    if (s->state != Session::State::kRelaying) {
      if (now >= s->deadline) {
        bool handshake = s->state == Session::State::kClientHandshake;
        if (handshake) Add(counters_.client_handshake_failures, 1);
        if (handshake) {
          Close(s, true, "client handshake: timed out");
        } else {
          UpstreamFailed(s, absl::DeadlineExceededError(absl::StrCat(
                                "connect ", Describe(plan_.to), ": timed out after ",
                                absl::FormatDuration(plan_.connect_timeout))));
        }
      } else {
        Schedule(s, s->deadline);
      }
      continue;
    }
    if (now >= s->reset_at) {
      Add(counters_.fault_resets, 1);
      Close(s, true, "fault reset-peer");
    } else if (now >= s->close_at) {
      Add(counters_.fault_timeouts, 1);
      Close(s, false, "fault timeout");
    } else {
      Pump(s, false, false, 0, 0, now);
    }
  }
}

void Worker::SweepIdle(absl::Time now) {
  if (udp_idle_.Due(now)) SweepUdp(now);
  if (!idle_.Due(now)) return;
  for (Session* s : idle_.Expired(now, sessions_, [](const Session& s) { return s.last_active; })) {
    Add(counters_.idle_closed, 1);
    Close(s, false, absl::StrCat("idle for ", absl::FormatDuration(plan_.idle_timeout)));
  }
}

// ReapChildren ends the exec children of closed sessions, each as a
// process group (sh: grandchildren too): past its grace the group gets
// SIGTERM (and the stopped ones SIGCONT, to see it), past kill_at SIGKILL;
// a child that has exited is reaped once its group was signalled. With
// `wait` (at exit) every child's grace ends now, and it waits.
void Worker::ReapChildren(bool wait) {
  absl::Time now = absl::Now();
  std::vector<EndingChild> running;
  for (EndingChild& c : children_) {
    if (wait) c.term_at = std::min(c.term_at, now);
    if (now >= c.term_at && c.kill_at == absl::InfiniteFuture()) {
      (void)c.child.SignalGroup(SIGTERM);
      process::ContinueIfStopped(c.child.pid(), /*group=*/true);  // See process::Child::Stop.
      c.kill_at = now + kChildGrace;
    }
    if (now >= c.kill_at) (void)c.child.SignalGroup(SIGKILL);
    if (now < c.term_at || !c.child.Poll().has_value()) running.push_back(std::move(c));
  }
  children_ = std::move(running);
  if (!wait) return;
  for (EndingChild& c : children_) {
    if (!c.child.Wait(c.kill_at).ok()) {
      (void)c.child.SignalGroup(SIGKILL);
      (void)c.child.Wait();
    }
  }
  children_.clear();
}

void Worker::ApplyTableChange(absl::Time now) {
  table_version_ = shared_->table.version();
  faults_ = shared_->table.Snapshot();
  WatchListeners(!stopping_ && shared_->table.admission() != Admission::kStall);
  std::vector<Session*> live;
  for (auto& [id, s] : sessions_) {
    if (s->state == Session::State::kRelaying) live.push_back(s.get());
  }
  for (Session* s : live) {
    DrawFaults(s, now);
    Pump(s, false, false, 0, 0, now);
  }
  for (auto& [key, u] : udp_) DrawUdpFaults(u.get(), now);
}

void Worker::Watch(Session* s, bool upstream, uint32_t events) {
  io::Stream* stream = upstream ? s->upstream.get() : s->client.get();
  uint32_t& current = upstream ? s->upstream_events : s->client_events;
  bool& registered = upstream ? s->upstream_registered : s->client_registered;
  Handle* h = upstream ? &s->upstream_handle : &s->client_handle;
  if (registered && current == events) return;
  absl::Status st = registered ? sel_->Modify(stream->fd(), events, h) : sel_->Register(stream->fd(), events, h);
  if (!st.ok()) Log(absl::StrCat("watch: ", st.message()));
  registered = true;
  current = events;
}

void Worker::Forget(Session* s, bool upstream) {
  bool& registered = upstream ? s->upstream_registered : s->client_registered;
  if (!registered) return;
  io::Stream* stream = upstream ? s->upstream.get() : s->client.get();
  sel_->Unregister(stream->fd()).IgnoreError();
  registered = false;
}

}  // namespace ipckit::relay_tool
