// stream_echo.cc: echo on stream connections: copy and splice, backpressure, half-close,
// chargen/daytime/discard (see worker.h).
#include "tools/echod/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "lib/io/eintr.h"
#include "tools/echod/services.h"

namespace ipckit::echod {

// Established starts the service on a connection ready for data: daytime
// sends its line at once.
void Worker::Established(Conn* c) {
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

void Worker::OnConn(Conn* c, uint32_t events) {
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

// Recv and Transmit are recv(2) and send(2) for plain and TLS connections
// alike: bytes, 0 at EOF (Recv), or -1 with errno (EAGAIN: would block).
ssize_t Worker::Recv(Conn* c, char* buf, size_t n) {
  if (!c->tls) return ::recv(c->fd, buf, n, 0);
  absl::StatusOr<size_t> r = c->tls->Read(absl::MakeSpan(buf, n));
  if (r.ok()) return static_cast<ssize_t>(*r);
  errno = absl::IsUnavailable(r.status()) ? EAGAIN : ECONNRESET;
  return -1;
}

ssize_t Worker::Transmit(Conn* c, const char* data, size_t n) {
  if (!c->tls) return ::send(c->fd, data, n, MSG_NOSIGNAL);
  absl::StatusOr<size_t> r = c->tls->Write(absl::string_view(data, n));
  if (r.ok()) return static_cast<ssize_t>(*r);
  errno = absl::IsUnavailable(r.status()) ? EAGAIN : EPIPE;
  return -1;
}

// Send writes `n` bytes (in --chunk pieces) and keeps what does not fit.
void Worker::Send(Conn* c, const char* data, size_t n) {
  size_t done = 0;
  while (done < n) {
    size_t piece = o_.chunk > 0 ? std::min(o_.chunk, n - done) : n - done;
    ssize_t w = io::RetryEintr([&] { return Transmit(c, data + done, piece); });
    if (w <= 0) {
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

bool Worker::Received(Conn* c, ssize_t n) {
  if (n < 0) {
    if (!io::WouldBlock(errno)) Close(c, false);
    return false;
  }
  if (track_idle_) c->last_active = NowNs();
  if (n == 0) {
    OnEof(c);
    return false;
  }
  Add(counters_->bytes_in, static_cast<uint64_t>(n));
  return true;
}

void Worker::Read(Conn* c) {
  if (c->pipe_r) {
    ReadBulk(c);
    return;
  }
  size_t room = o_.buffer_size;
  if (delaying_) {
    room = o_.buffer_size > c->delayed_bytes ? o_.buffer_size - c->delayed_bytes : 0;
    if (room == 0) return;
  }
  ssize_t n = Recv(c, scratch_->data(), room);
  if (!Received(c, n)) return;
  if (!echoing_) return;  // Discard, chargen, daytime: input is read and dropped.
  if (splice_ok_ && !c->tls && static_cast<size_t>(n) >= kBulkRead && !c->pipe_r) StartBulk(c);
  size_t len = static_cast<size_t>(n);
  if (o_.close_after > 0) len = static_cast<size_t>(std::min<uint64_t>(len, o_.close_after - c->echoed));
  c->echoed += len;
  if (delaying_) {
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
void Worker::StartBulk(Conn* c) {
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return;
  c->pipe_r = io::UniqueFd(fds[0]);
  c->pipe_w = io::UniqueFd(fds[1]);
  ::fcntl(fds[1], F_SETPIPE_SZ, static_cast<int>(o_.buffer_size));
}

void Worker::ReadBulk(Conn* c) {
  if (c->kept_len > 0) return;  // Copies still owed go first (see Flush).
  ssize_t n = ::splice(c->fd, nullptr, c->pipe_w.get(), nullptr, o_.buffer_size - c->in_pipe,
                       SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  if (!Received(c, n)) return;
  c->in_pipe += static_cast<size_t>(n);
  FlushPipe(c);
}

// FlushPipe splices what the pipe holds back to the client; while any is
// left, the connection is not read.
void Worker::FlushPipe(Conn* c) {
  while (c->in_pipe > 0) {
    ssize_t w = io::RetryEintr([&] {
      return ::splice(c->pipe_r.get(), nullptr, c->fd, nullptr, c->in_pipe, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    });
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

void Worker::Flush(Conn* c) {
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
    ssize_t w = io::RetryEintr([&] { return Transmit(c, c->kept.get() + c->kept_off, piece); });
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
void Worker::OnEof(Conn* c) {
  c->read_eof = true;
  c->reading = false;
  MaybeFinish(c);
}

// MaybeFinish closes a connection whose client has sent EOF once
// everything owed to it is written: shutdown(SHUT_WR), then close.
void Worker::MaybeFinish(Conn* c) {
  if (c->kept_len > 0 || c->in_pipe > 0 || !c->delayed.empty()) {
    if (c->kept_len == 0) Watch(c, 0);
    return;
  }
  Close(c, true);
}

}  // namespace ipckit::echod
