// worker.cc: Worker's event loop, accept and close (see worker.h).
#include "tools/echod/worker.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/tls/tls_stream.h"

namespace ipckit::echod {

absl::Status Worker::Init() {
  epfd_ = io::UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
  if (!epfd_) return absl::ErrnoToStatus(errno, "epoll_create1");
  wake_ = io::UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_) return absl::ErrnoToStatus(errno, "eventfd");
  wake_handler_.kind = Kind::kWake;
  if (!Ctl(EPOLL_CTL_ADD, wake_.get(), EPOLLIN, &wake_handler_)) {
    return absl::ErrnoToStatus(errno, "epoll_ctl");
  }
  for (auto& l : listeners_) {
    // One wake-up per connection among the workers, not a thundering herd.
    uint32_t ev = EPOLLIN | (l->kind == Kind::kListener ? uint32_t{EPOLLEXCLUSIVE} : 0u);
    if (!Ctl(EPOLL_CTL_ADD, l->fd, ev, l.get())) return absl::ErrnoToStatus(errno, "epoll_ctl");
  }
  return absl::OkStatus();
}

void Worker::Wake() {
  uint64_t one = 1;
  (void)!::write(wake_.get(), &one, sizeof(one));
}

void Worker::RequestStop() {
  stop_requested_.store(true);
  Wake();
}

void Worker::Run() {
  struct epoll_event evs[kMaxEvents];
  int64_t drain_deadline = 0;
  idle_ = server::IdleSweep(o_.idle_timeout, absl::FromUnixNanos(NowNs()));
  for (;;) {
    if (stop_requested_.load() && !stopping_) {
      stopping_ = true;
      for (auto& l : listeners_) Ctl(EPOLL_CTL_DEL, l->fd, 0, nullptr);
      drain_deadline = NowNs() + absl::ToInt64Nanoseconds(o_.drain_timeout);
    }
    if (stopping_ && (conns_.empty() || NowNs() >= drain_deadline)) break;
    int64_t wake_at = -1;
    if (!timers_.empty()) wake_at = timers_.begin()->first;
    if (idle_.on() && (wake_at < 0 || absl::ToUnixNanos(idle_.next()) < wake_at)) wake_at = absl::ToUnixNanos(idle_.next());
    if (stopping_ && (wake_at < 0 || drain_deadline < wake_at)) wake_at = drain_deadline;
    int timeout = -1;
    if (wake_at >= 0) {
      int64_t left = wake_at - NowNs();
      timeout = left <= 0 ? 0 : static_cast<int>(std::min<int64_t>((left + 999999) / 1000000, 1 << 30));
    }
    int n = ::epoll_wait(epfd_.get(), evs, kMaxEvents, timeout);
    for (int i = 0; i < n; ++i) {
      Handler* h = static_cast<Handler*>(evs[i].data.ptr);
      switch (h->kind) {
        case Kind::kWake: {
          uint64_t v;
          (void)!::read(wake_.get(), &v, sizeof(v));
          break;
        }
        case Kind::kListener:
          if (!stopping_) Accept(static_cast<ListenerHandler*>(h));
          break;
        case Kind::kDatagram:
          if (!stopping_) Datagrams(static_cast<ListenerHandler*>(h));
          break;
        case Kind::kConn:
          OnConn(static_cast<Conn*>(h), evs[i].events);
          break;
      }
    }
    // The clock is read only when something waits on it: not per request.
    if (!timers_.empty() || idle_.on()) {
      int64_t now = NowNs();
      if (!timers_.empty()) RunTimers(now);
      SweepIdle(now);
    }
    if (!closed_.empty()) closed_.clear();
  }
  // Drain deadline passed (or nothing left): close what remains.
  while (!conns_.empty()) Close(conns_.begin()->second.get(), false);
  closed_.clear();
}

void Worker::Accept(ListenerHandler* l) {
  for (int i = 0; i < 64; ++i) {
    int fd = ::accept4(l->fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN (another worker took it), or a transient error.
    Add(counters_->accepted, 1);
    if (o_.max_conns > 0 &&
        shared_->active.load(std::memory_order_relaxed) >= static_cast<uint64_t>(o_.max_conns)) {
      Add(counters_->rejected, 1);
      ::close(fd);  // A clean close: the client reads EOF.
      continue;
    }
    shared_->active.fetch_add(1, std::memory_order_relaxed);
    auto c = std::make_unique<Conn>();
    c->kind = Kind::kConn;
    c->fd = fd;
    c->id = next_id_++;
    c->last_active = NowNs();
    if (l->transport == Transport::kTcp && o_.chunk > 0) {
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    Conn* raw = c.get();
    conns_[raw->id] = std::move(c);
    if (l->tls) {
      absl::StatusOr<std::unique_ptr<tls::TlsStream>> tls = tls::TlsStream::Server(*o_.tls, io::UniqueFd(fd), "client");
      if (!tls.ok()) {  // Only SSL_new can fail here (memory): the stream closed fd.
        raw->fd = -2;
        Add(counters_->handshake_failures, 1);
        Forget(raw);
        continue;
      }
      raw->tls = *std::move(tls);
      raw->tls->EnableReadAhead();  // One recv per batch of records; ReadTls drains it.
      raw->handshaking = true;
      raw->events = EPOLLIN | EPOLLRDHUP;
      Ctl(EPOLL_CTL_ADD, fd, raw->events, raw);
      continue;
    }
    uint32_t ev = EPOLLIN | EPOLLRDHUP;
    if (o_.service == Service::kChargen) ev |= EPOLLOUT;
    raw->events = ev;
    Ctl(EPOLL_CTL_ADD, fd, ev, raw);
    Established(raw);
  }
}

void Worker::Close(Conn* c, bool graceful) {
  if (o_.rst) {
    struct linger l = {1, 0};  // Abortive close: RST instead of FIN.
    ::setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  } else if (graceful) {
    if (c->tls && !c->handshaking) (void)c->tls->CloseWrite();  // close_notify, best effort.
    ::shutdown(c->fd, SHUT_WR);
  }
  Ctl(EPOLL_CTL_DEL, c->fd, 0, nullptr);
  if (c->tls) {
    c->tls.reset();  // Closes the socket.
  } else {
    ::close(c->fd);
  }
  c->fd = -1;  // Events later in this batch may still point here.
  Forget(c);
}

// Forget drops a connection whose socket is closed.
void Worker::Forget(Conn* c) {
  shared_->active.fetch_sub(1, std::memory_order_relaxed);
  c->fd = -1;
  auto it = conns_.find(c->id);
  closed_.push_back(std::move(it->second));
  conns_.erase(it);
}

}  // namespace ipckit::echod
