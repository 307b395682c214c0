#include "tools/echod/server.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <random>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/json/json_writer.h"
#include "lib/io/fd.h"
#include "lib/io/io_buffer.h"
#include "lib/net/socket.h"
#include "lib/tls/tls_stream.h"

namespace ipckit::echod {

using ::ipckit::json::JsonWriter;

// Counters has one writer per field set: each worker counts into its own
// (WorkerCounters), so the hot path has no locked instructions; only the
// number of active connections is shared, for --max-conns.
struct Server::Counters {
  std::atomic<uint64_t> active{0};
};

namespace {

constexpr size_t kScratch = 64 * 1024;
constexpr int kMaxEvents = 256;

int64_t NowNs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// WorkerCounters are written by one worker thread and read by any.
struct alignas(64) WorkerCounters {
  std::atomic<uint64_t> accepted{0}, rejected{0}, bytes_in{0}, bytes_out{0}, datagrams_in{0},
      datagrams_out{0}, dropped{0}, handshakes{0}, handshake_failures{0};
};

// Add increments a counter that only this thread writes: a plain add, no lock.
void Add(std::atomic<uint64_t>& c, uint64_t n) {
  c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

// Chargen returns `n` bytes of the RFC 864 pattern starting at line `*line`.
std::string Chargen(size_t lines, uint64_t* line) {
  std::string out;
  for (size_t i = 0; i < lines; ++i, ++*line) {
    for (int c = 0; c < 72; ++c) out.push_back(static_cast<char>(' ' + 1 + (*line + c) % 94));
    out += "\r\n";
  }
  return out;
}

std::string Daytime() {
  char buf[64];
  time_t t = ::time(nullptr);
  struct tm tm;
  ::gmtime_r(&t, &tm);
  ::strftime(buf, sizeof(buf), "%A, %B %d, %Y %H:%M:%S-UTC\r\n", &tm);
  return buf;
}

enum class Kind { kListener, kDatagram, kConn, kWake };

struct Handler {
  Kind kind;
};

struct ListenerHandler : Handler {
  int fd;
  Transport transport;
  bool tls;
};

// Conn is one stream connection. `kept` holds only what the client has not
// read yet; it exists only while there is some.
struct Conn : Handler {
  int fd = -1;
  uint64_t id = 0;
  std::unique_ptr<char[]> kept;
  size_t kept_off = 0, kept_len = 0;
  bool read_eof = false;
  bool reading = true;
  uint32_t events = 0;
  uint64_t echoed = 0;
  int64_t last_active = 0;
  uint64_t chargen_line = 0;
  std::deque<std::pair<int64_t, std::string>> delayed;  // --delay: data and when it is due.
  size_t delayed_bytes = 0;
  // Bulk mode: once a read brings kBulkRead bytes or more, the connection
  // echoes through a pipe with splice(2) and keeps the pipe until it closes.
  io::UniqueFd pipe_r, pipe_w;
  size_t in_pipe = 0;
  // TLS: the stream owns fd; until the handshake is done nothing is echoed.
  std::unique_ptr<tls::TlsStream> tls;
  bool handshaking = false;
};

constexpr size_t kBulkRead = 64 * 1024;

}  // namespace

class Server::Worker {
 public:
  Worker(const ServerOptions& o, const std::vector<int>& fds,
         const std::vector<Transport>& transports, const std::vector<bool>& tls, Counters* counters)
      : o_(o), shared_(counters), rng_(std::random_device()()) {
    for (size_t i = 0; i < fds.size(); ++i) {
      auto h = std::make_unique<ListenerHandler>();
      h->kind = IsStream(transports[i]) ? Kind::kListener : Kind::kDatagram;
      h->fd = fds[i];
      h->transport = transports[i];
      h->tls = tls[i];
      listeners_.push_back(std::move(h));
    }
    // An IoBuffer: on bulk streams its placement alone is worth 30%.
    scratch_ = std::make_unique<io::IoBuffer>(std::max(kScratch, o.buffer_size) + 1);
  }

  absl::Status Init() {
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

  void Wake() {
    uint64_t one = 1;
    (void)!::write(wake_.get(), &one, sizeof(one));
  }

  void RequestStop() {
    stop_requested_.store(true);
    Wake();
  }

  void Run() {
    struct epoll_event evs[kMaxEvents];
    int64_t drain_deadline = 0;
    int64_t next_sweep = IdleSweepInterval() > 0 ? NowNs() + IdleSweepInterval() : 0;
    for (;;) {
      if (stop_requested_.load() && !stopping_) {
        stopping_ = true;
        for (auto& l : listeners_) Ctl(EPOLL_CTL_DEL, l->fd, 0, nullptr);
        drain_deadline = NowNs() + absl::ToInt64Nanoseconds(o_.drain_timeout);
      }
      if (stopping_ && (conns_.empty() || NowNs() >= drain_deadline)) break;
      int64_t wake_at = -1;
      if (!timers_.empty()) wake_at = timers_.begin()->first;
      if (next_sweep > 0 && (wake_at < 0 || next_sweep < wake_at)) wake_at = next_sweep;
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
      int64_t now = NowNs();
      RunTimers(now);
      closed_.clear();
      if (next_sweep > 0 && now >= next_sweep) {
        SweepIdle(now);
        next_sweep = now + IdleSweepInterval();
      }
    }
    // Drain deadline passed (or nothing left): close what remains.
    while (!conns_.empty()) Close(conns_.begin()->second.get(), false);
    closed_.clear();
  }

  const WorkerCounters& counters() const { return *counters_; }

 private:
  bool Ctl(int op, int fd, uint32_t events, Handler* h) {
    struct epoll_event ev = {};
    ev.events = events;
    ev.data.ptr = h;
    return ::epoll_ctl(epfd_.get(), op, fd, &ev) == 0;
  }

  int64_t IdleSweepInterval() const {
    if (o_.idle_timeout == absl::InfiniteDuration()) return 0;
    return std::max<int64_t>(absl::ToInt64Nanoseconds(o_.idle_timeout) / 4, 10000000);
  }

  void Watch(Conn* c, uint32_t events) {
    if (c->events == events) return;
    c->events = events;
    Ctl(EPOLL_CTL_MOD, c->fd, events, c);
  }

  void Accept(ListenerHandler* l) {
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

  // Established starts the service on a connection ready for data: daytime
  // sends its line at once.
  void Established(Conn* c) {
    if (o_.service == Service::kChargen) Watch(c, c->events | EPOLLOUT);
    if (o_.service != Service::kDaytime) return;
    std::string line = Daytime();
    Send(c, line.data(), line.size());
    if (!Alive(c)) return;
    if (c->kept_len == 0) {
      Close(c, true);
    } else {
      c->read_eof = true;  // Close once the line is out.
    }
  }

  // Handshake advances a TLS handshake; once done the connection is served.
  void Handshake(Conn* c) {
    absl::Status s = c->tls->Handshake();
    if (absl::IsUnavailable(s)) {
      uint32_t wait = c->tls->HandshakeWaitsFor();
      Watch(c, ((wait & selector::kReadable) ? uint32_t{EPOLLIN | EPOLLRDHUP} : 0u) |
                   ((wait & selector::kWritable) ? uint32_t{EPOLLOUT} : 0u));
      return;
    }
    if (!s.ok()) {
      Add(counters_->handshake_failures, 1);
      // BoringSSL has sent its alert. Unread input would turn the close into
      // a reset that can overtake the alert: read it away, then FIN.
      while (::recv(c->fd, scratch_->data(), kScratch, MSG_DONTWAIT) > 0) {
      }
      ::shutdown(c->fd, SHUT_WR);
      Close(c, false);
      return;
    }
    Add(counters_->handshakes, 1);
    c->handshaking = false;
    Watch(c, EPOLLIN | EPOLLRDHUP);
    Established(c);
    if (Alive(c) && c->reading) ReadTls(c);
  }

  // ReadTls reads until BoringSSL holds no decrypted bytes, which epoll
  // cannot announce.
  void ReadTls(Conn* c) {
    do {
      Read(c);
    } while (Alive(c) && c->reading && c->tls->HasBufferedInput());
  }

  // Recv and Transmit are recv(2) and send(2) for plain and TLS connections
  // alike: bytes, 0 at EOF (Recv), or -1 with errno (EAGAIN: would block).
  ssize_t Recv(Conn* c, char* buf, size_t n) {
    if (!c->tls) return ::recv(c->fd, buf, n, 0);
    absl::StatusOr<size_t> r = c->tls->Read(absl::MakeSpan(buf, n));
    if (r.ok()) return static_cast<ssize_t>(*r);
    errno = absl::IsUnavailable(r.status()) ? EAGAIN : ECONNRESET;
    return -1;
  }

  ssize_t Transmit(Conn* c, const char* data, size_t n) {
    if (!c->tls) return ::send(c->fd, data, n, MSG_NOSIGNAL);
    absl::StatusOr<size_t> r = c->tls->Write(absl::string_view(data, n));
    if (r.ok()) return static_cast<ssize_t>(*r);
    errno = absl::IsUnavailable(r.status()) ? EAGAIN : EPIPE;
    return -1;
  }

  // Send writes `n` bytes (in --chunk pieces) and keeps what does not fit.
  void Send(Conn* c, const char* data, size_t n) {
    size_t done = 0;
    while (done < n) {
      size_t piece = o_.chunk > 0 ? std::min(o_.chunk, n - done) : n - done;
      ssize_t w = Transmit(c, data + done, piece);
      if (w <= 0) {
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno != EAGAIN) {
          c->read_eof = true;  // The client is gone: drop the rest.
          c->kept_len = 0;
          Close(c, false);
          return;
        }
        break;
      }
      done += static_cast<size_t>(w);
      Add(counters_->bytes_out, static_cast<uint64_t>(w));
    }
    if (done < n) {
      if (!c->kept) c->kept.reset(new char[o_.buffer_size]);
      std::memcpy(c->kept.get(), data + done, n - done);
      c->kept_off = 0;
      c->kept_len = n - done;
      c->reading = false;  // Backpressure: stop reading until the client catches up.
      Watch(c, EPOLLOUT);
    }
  }

  void OnConn(Conn* c, uint32_t events) {
    if (!Alive(c)) return;
    if (c->handshaking) {
      Handshake(c);
      return;
    }
    if (events & EPOLLOUT) {
      Flush(c);
      if (!Alive(c)) return;
    }
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) && c->reading) {
      if (c->tls) {
        ReadTls(c);
      } else {
        Read(c);
      }
    }
    if (Alive(c) && (events & EPOLLERR) && !(events & EPOLLIN)) Close(c, false);
  }

  static bool Alive(const Conn* c) { return c->fd >= 0; }

  void Read(Conn* c) {
    if (c->pipe_r) {
      ReadBulk(c);
      return;
    }
    size_t room = o_.buffer_size;
    if (o_.delay > absl::ZeroDuration()) {
      room = o_.buffer_size > c->delayed_bytes ? o_.buffer_size - c->delayed_bytes : 0;
      if (room == 0) return;
    }
    ssize_t n = Recv(c, scratch_->data(), room);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      Close(c, false);
      return;
    }
    if (track_idle_) c->last_active = NowNs();
    if (n == 0) {
      OnEof(c);
      return;
    }
    Add(counters_->bytes_in, static_cast<uint64_t>(n));
    if (o_.service == Service::kDiscard || o_.service == Service::kChargen ||
        o_.service == Service::kDaytime) {
      return;  // Input is read and dropped.
    }
    if (splice_ok_ && !c->tls && static_cast<size_t>(n) >= kBulkRead && !c->pipe_r) StartBulk(c);
    size_t len = static_cast<size_t>(n);
    if (o_.close_after > 0) len = static_cast<size_t>(std::min<uint64_t>(len, o_.close_after - c->echoed));
    c->echoed += len;
    if (o_.delay > absl::ZeroDuration()) {
      int64_t due = NowNs() + absl::ToInt64Nanoseconds(o_.delay);
      c->delayed.emplace_back(due, std::string(scratch_->data(), len));
      c->delayed_bytes += len;
      timers_.emplace(due, c->id);
    } else {
      Send(c, scratch_->data(), len);
    }
    if (Alive(c) && o_.close_after > 0 && c->echoed >= o_.close_after) {
      c->read_eof = true;  // Finish with what is echoed so far, then close.
      c->reading = false;
      if (c->kept_len == 0 && c->delayed.empty()) {
        Close(c, true);
      } else if (c->kept_len == 0) {
        Watch(c, 0);
      }
    }
  }

  // StartBulk gives `c` a pipe for splice(2); without one it stays on copies.
  void StartBulk(Conn* c) {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return;
    c->pipe_r = io::UniqueFd(fds[0]);
    c->pipe_w = io::UniqueFd(fds[1]);
    ::fcntl(fds[1], F_SETPIPE_SZ, static_cast<int>(o_.buffer_size));
  }

  void ReadBulk(Conn* c) {
    if (c->kept_len > 0) return;  // Copies still owed go first (see Flush).
    ssize_t n = ::splice(c->fd, nullptr, c->pipe_w.get(), nullptr, o_.buffer_size - c->in_pipe,
                         SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      Close(c, false);
      return;
    }
    if (track_idle_) c->last_active = NowNs();
    if (n == 0) {
      OnEof(c);
      return;
    }
    Add(counters_->bytes_in, static_cast<uint64_t>(n));
    c->in_pipe += static_cast<size_t>(n);
    FlushPipe(c);
  }

  // FlushPipe splices what the pipe holds back to the client; while any is
  // left, the connection is not read.
  void FlushPipe(Conn* c) {
    while (c->in_pipe > 0) {
      ssize_t w = ::splice(c->pipe_r.get(), nullptr, c->fd, nullptr, c->in_pipe,
                           SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EAGAIN) break;
      if (w <= 0) {
        Close(c, false);
        return;
      }
      Add(counters_->bytes_out, static_cast<uint64_t>(w));
      c->in_pipe -= static_cast<size_t>(w);
    }
    if (c->in_pipe > 0) {
      c->reading = false;
      Watch(c, EPOLLOUT);
    } else if (c->read_eof) {
      MaybeFinish(c);
    } else {
      c->reading = true;
      Watch(c, EPOLLIN | EPOLLRDHUP);
    }
  }

  void Flush(Conn* c) {
    if (c->pipe_r && c->kept_len == 0) {
      FlushPipe(c);
      return;
    }
    if (o_.service == Service::kChargen && c->kept_len == 0) {
      std::string lines = Chargen(64, &c->chargen_line);
      Send(c, lines.data(), lines.size());
      return;
    }
    while (c->kept_len > 0) {
      size_t piece = o_.chunk > 0 ? std::min(o_.chunk, c->kept_len) : c->kept_len;
      ssize_t w = Transmit(c, c->kept.get() + c->kept_off, piece);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EAGAIN) return;
      if (w <= 0) {
        Close(c, false);
        return;
      }
      Add(counters_->bytes_out, static_cast<uint64_t>(w));
      c->kept_off += static_cast<size_t>(w);
      c->kept_len -= static_cast<size_t>(w);
    }
    c->kept.reset();  // Idle connections hold no buffer.
    if (track_idle_) c->last_active = NowNs();
    if (c->read_eof) {
      MaybeFinish(c);
      return;
    }
    c->reading = o_.delay == absl::ZeroDuration() || c->delayed_bytes < o_.buffer_size;
    Watch(c, (c->reading ? EPOLLIN | EPOLLRDHUP : 0) |
                 (o_.service == Service::kChargen ? uint32_t{EPOLLOUT} : 0u));
    // Decrypted bytes held while we were not reading get no epoll event.
    if (c->tls && c->reading && c->tls->HasBufferedInput()) ReadTls(c);
  }

  // OnEof records the client's EOF: no more reading; finish once flushed.
  void OnEof(Conn* c) {
    c->read_eof = true;
    c->reading = false;
    MaybeFinish(c);
  }

  // MaybeFinish closes a connection whose client has sent EOF once
  // everything owed to it is written: shutdown(SHUT_WR), then close.
  void MaybeFinish(Conn* c) {
    if (c->kept_len > 0 || c->in_pipe > 0 || !c->delayed.empty()) {
      if (c->kept_len == 0) Watch(c, 0);
      return;
    }
    Close(c, true);
  }

  void Close(Conn* c, bool graceful) {
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
  void Forget(Conn* c) {
    shared_->active.fetch_sub(1, std::memory_order_relaxed);
    c->fd = -1;
    auto it = conns_.find(c->id);
    closed_.push_back(std::move(it->second));
    conns_.erase(it);
  }

  void RunTimers(int64_t now) {
    while (!timers_.empty() && timers_.begin()->first <= now) {
      uint64_t id = timers_.begin()->second;
      timers_.erase(timers_.begin());
      auto it = conns_.find(id);
      if (it == conns_.end()) continue;
      Conn* c = it->second.get();
      while (!c->delayed.empty() && c->delayed.front().first <= now && c->kept_len == 0) {
        std::string data = std::move(c->delayed.front().second);
        c->delayed.pop_front();
        c->delayed_bytes -= data.size();
        Send(c, data.data(), data.size());
        if (!Alive(c)) break;
      }
      if (!Alive(c)) continue;
      if (c->kept_len == 0) {
        if (c->read_eof && c->delayed.empty()) {
          Close(c, true);
        } else if (!c->read_eof) {
          c->reading = c->delayed_bytes < o_.buffer_size;
          Watch(c, c->reading ? EPOLLIN | EPOLLRDHUP : 0);
        }
      }
    }
  }

  void SweepIdle(int64_t now) {
    int64_t limit = absl::ToInt64Nanoseconds(o_.idle_timeout);
    std::vector<Conn*> idle;
    for (auto& [id, c] : conns_) {
      if (now - c->last_active >= limit) idle.push_back(c.get());
    }
    for (Conn* c : idle) Close(c, true);
  }

  void Datagrams(ListenerHandler* l) {
    for (int i = 0; i < 64; ++i) {
      struct sockaddr_storage from;
      char control[256];
      struct iovec iov = {scratch_->data(), kScratch};
      struct msghdr msg = {};
      msg.msg_name = &from;
      msg.msg_namelen = sizeof(from);
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof(control);
      ssize_t n = ::recvmsg(l->fd, &msg, MSG_DONTWAIT);
      if (n < 0) return;
      Add(counters_->datagrams_in, 1);
      Add(counters_->bytes_in, static_cast<uint64_t>(n));
      if (o_.drop_rate > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < o_.drop_rate) {
        Add(counters_->dropped, 1);
        continue;
      }
      std::string reply;
      const char* out = scratch_->data();
      size_t out_len = static_cast<size_t>(n);
      switch (o_.service) {
        case Service::kEcho: break;
        case Service::kDiscard: continue;
        case Service::kDaytime:
          reply = Daytime();
          out = reply.data();
          out_len = reply.size();
          break;
        case Service::kChargen: {
          uint64_t line = rng_() % 94;
          reply = Chargen(1 + rng_() % 6, &line);
          out = reply.data();
          out_len = reply.size();
          break;
        }
      }
      if (msg.msg_namelen <= sizeof(sa_family_t)) continue;  // An unnamed Unix sender.
      // Reply from the address the datagram came to: pass its pktinfo back.
      struct iovec riov = {const_cast<char*>(out), out_len};
      struct msghdr r = {};
      r.msg_name = &from;
      r.msg_namelen = msg.msg_namelen;
      r.msg_iov = &riov;
      r.msg_iovlen = 1;
      char rcontrol[256];
      size_t clen = 0;
      for (struct cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm != nullptr; cm = CMSG_NXTHDR(&msg, cm)) {
        bool v4 = cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO;
        bool v6 = cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO;
        if (!v4 && !v6) continue;
        std::memcpy(rcontrol + clen, cm, cm->cmsg_len);
        if (v4) {
          auto* pi = reinterpret_cast<struct in_pktinfo*>(CMSG_DATA(reinterpret_cast<struct cmsghdr*>(rcontrol + clen)));
          pi->ipi_spec_dst = pi->ipi_addr;
          pi->ipi_ifindex = 0;
        }
        clen += CMSG_ALIGN(cm->cmsg_len);
      }
      if (clen > 0) {
        r.msg_control = rcontrol;
        r.msg_controllen = clen;
      }
      if (::sendmsg(l->fd, &r, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) {
        Add(counters_->datagrams_out, 1);
        Add(counters_->bytes_out, out_len);
      }
    }
  }

  const ServerOptions& o_;
  Counters* shared_;
  WorkerCounters counters_storage_;
  WorkerCounters* counters_ = &counters_storage_;
  std::vector<std::unique_ptr<Conn>> closed_;  // Freed after the event batch that closed them.
  std::mt19937_64 rng_;
  std::vector<std::unique_ptr<ListenerHandler>> listeners_;
  std::unique_ptr<io::IoBuffer> scratch_;
  io::UniqueFd epfd_, wake_;
  Handler wake_handler_;
  absl::flat_hash_map<uint64_t, std::unique_ptr<Conn>> conns_;
  std::multimap<int64_t, uint64_t> timers_;  // Due time -> connection id (--delay).
  uint64_t next_id_ = 1;
  std::atomic<bool> stop_requested_{false};
  bool stopping_ = false;
  const bool track_idle_ = o_.idle_timeout != absl::InfiniteDuration();
  // Bulk splicing only for plain echo: faults need the bytes in hand.
  const bool splice_ok_ = o_.splice && o_.service == Service::kEcho && o_.chunk == 0 &&
                          o_.close_after == 0 && o_.delay == absl::ZeroDuration();
};

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
    : options_(options), counters_(std::make_unique<Counters>()) {}

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
