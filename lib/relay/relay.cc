#include "lib/relay/relay.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "lib/io/fd.h"
#include "lib/io/io_buffer.h"
#include "lib/io/unique_fd.h"

namespace ipckit::relay {
namespace {


// Direction moves bytes from `src` to `dst` through a user-space buffer, or
// through a pipe with splice(2) when both are plain descriptors.
class Direction {
 public:
  Direction(Stream* src, Stream* dst, bool enabled, size_t capacity, bool crlf,
            absl::Duration interval, bool try_splice)
      : src_(src), dst_(dst), crlf_(crlf), interval_(interval), capacity_(capacity) {
    if (!enabled || src_ == nullptr) {
      eof_ = true;
      eof_handled_ = true;  // No real EOF happens, so no EOF policy runs.
    }
    if (try_splice && !eof_ && dst_ != nullptr && src_->IsPlain() && dst_->IsPlain() && !crlf_ &&
        interval_ == absl::ZeroDuration() && !::isatty(src_->fd()) && !::isatty(dst_->fd())) {
      absl::StatusOr<io::Pipe> p = io::MakePipe(O_CLOEXEC | O_NONBLOCK);
      if (p.ok()) {
        pipe_ = std::move(*p);
        // A bigger pipe means fewer wake-ups; the kernel may cap it (1 MiB by default).
        ::fcntl(pipe_.write.get(), F_SETPIPE_SZ, static_cast<int>(std::max<size_t>(capacity, 65536)));
        int size = ::fcntl(pipe_.write.get(), F_GETPIPE_SZ);
        capacity_ = size > 0 ? static_cast<size_t>(size) : 65536;
      }
    }
    if (src_ != nullptr) capacity_ = std::max(capacity_, src_->MinReadSize());
    if (!pipe_.read) buf_ = std::make_unique<io::IoBuffer>(capacity_);
  }

  bool spliced() const { return spliced_; }
  size_t pending() const { return pipe_.read ? in_pipe_ : tail_ - head_; }
  bool eof() const { return eof_; }
  // done: the source has ended and everything read has been delivered.
  bool done() const { return eof_ && pending() == 0; }
  bool eof_handled() const { return eof_handled_; }
  void set_eof_handled() { eof_handled_ = true; }
  uint64_t moved() const { return moved_; }
  Stream* src() const { return src_; }
  Stream* dst() const { return dst_; }

  bool WantsRead() const {
    return !eof_ && Capacity() - pending() >= std::max<size_t>(src_->MinReadSize(), crlf_ ? 2 : 1);
  }
  bool WantsWrite(absl::Time now) const { return pending() > 0 && now >= next_write_; }
  absl::Time next_write() const { return next_write_; }

  // Read moves what the source has into the buffer; `progress` is set if a
  // byte moved or EOF was seen.
  absl::Status Read(bool* progress) {
    if (pipe_.read) {
      ssize_t n = ::splice(src_->fd(), nullptr, pipe_.write.get(), nullptr, capacity_ - in_pipe_,
                           SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) {
        in_pipe_ += static_cast<size_t>(n);
        spliced_ = true;
        *progress = true;
        return absl::OkStatus();
      }
      if (n == 0) {
        eof_ = *progress = true;
        return absl::OkStatus();
      }
      if (errno == EAGAIN || errno == EINTR) return absl::OkStatus();
      if (errno != EINVAL || in_pipe_ != 0) {
        return absl::ErrnoToStatus(errno, absl::StrCat("read ", src_->name()));
      }
      DropPipe();  // This source cannot splice: fall back to read(2).
    }
    Compact();
    size_t room = buf_->size() - tail_;
    if (crlf_) room /= 2;  // Each '\n' may become two bytes.
    absl::StatusOr<size_t> n = src_->Read(absl::MakeSpan(buf_->data() + tail_, room));
    if (!n.ok()) return absl::IsUnavailable(n.status()) ? absl::OkStatus() : n.status();
    *progress = true;
    if (*n == 0) {
      eof_ = true;
      return absl::OkStatus();
    }
    if (crlf_) ExpandCrlf(*n); else tail_ += *n;
    return absl::OkStatus();
  }

  // Write delivers buffered bytes to the destination (or drops them if
  // there is none); `progress` is set if a byte moved.
  absl::Status Write(absl::Time now, bool* progress) {
    if (dst_ == nullptr) {
      moved_ += pending();
      head_ = tail_ = 0;
      in_pipe_ = 0;
      *progress = true;
      return absl::OkStatus();
    }
    if (pipe_.read) {
      ssize_t n = ::splice(pipe_.read.get(), nullptr, dst_->fd(), nullptr, in_pipe_,
                           SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) {
        in_pipe_ -= static_cast<size_t>(n);
        moved_ += static_cast<uint64_t>(n);
        *progress = true;
        return absl::OkStatus();
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return absl::OkStatus();
      if (n < 0 && errno != EINVAL) {
        return absl::ErrnoToStatus(errno, absl::StrCat("write ", dst_->name()));
      }
      // This destination cannot splice: move what the pipe holds to the buffer.
      absl::Status s = DrainPipeToBuffer();
      if (!s.ok()) return s;
    }
    size_t len = tail_ - head_;
    if (interval_ > absl::ZeroDuration()) {
      const char* nl = static_cast<const char*>(memchr(buf_->data() + head_, '\n', len));
      if (nl != nullptr) len = static_cast<size_t>(nl - (buf_->data() + head_)) + 1;
    }
    absl::StatusOr<size_t> n = dst_->Write(absl::string_view(buf_->data() + head_, len));
    if (!n.ok()) return absl::IsUnavailable(n.status()) ? absl::OkStatus() : n.status();
    head_ += *n;
    moved_ += *n;
    *progress = true;
    if (interval_ > absl::ZeroDuration() && *n == len && buf_->data()[head_ - 1] == '\n') {
      next_write_ = now + interval_;
    }
    return absl::OkStatus();
  }

 private:
  size_t Capacity() const { return pipe_.read ? capacity_ : buf_->size(); }

  // Compact makes the free space contiguous when the source needs more
  // than what is left at the end.
  void Compact() {
    if (head_ == tail_) {
      head_ = tail_ = 0;
    } else if (buf_->size() - tail_ < std::max<size_t>(src_->MinReadSize(), 2) && head_ > 0) {
      memmove(buf_->data(), buf_->data() + head_, tail_ - head_);
      tail_ -= head_;
      head_ = 0;
    }
  }

  // ExpandCrlf turns each '\n' of the `n` bytes just read at tail_ into
  // "\r\n" (a "\r\n" already there is left alone) and advances tail_.
  void ExpandCrlf(size_t n) {
    std::string out;
    out.reserve(n * 2);
    for (size_t i = 0; i < n; ++i) {
      char c = buf_->data()[tail_ + i];
      char prev = i > 0 ? buf_->data()[tail_ + i - 1] : last_byte_;
      if (c == '\n' && prev != '\r') out.push_back('\r');
      out.push_back(c);
    }
    last_byte_ = buf_->data()[tail_ + n - 1];
    memcpy(buf_->data() + tail_, out.data(), out.size());
    tail_ += out.size();
  }

  void DropPipe() {
    pipe_ = io::Pipe();
    in_pipe_ = 0;
    buf_ = std::make_unique<io::IoBuffer>(capacity_);
  }

  absl::Status DrainPipeToBuffer() {
    std::vector<char> data(in_pipe_);
    absl::StatusOr<size_t> n = io::ReadFull(pipe_.read.get(), absl::MakeSpan(data), "read relay pipe");
    if (!n.ok()) return n.status();
    DropPipe();
    buf_ = std::make_unique<io::IoBuffer>(std::max(capacity_, *n));
    memcpy(buf_->data(), data.data(), *n);
    head_ = 0;
    tail_ = *n;
    return absl::OkStatus();
  }

  Stream* src_;
  Stream* dst_;
  bool crlf_;
  absl::Duration interval_;
  size_t capacity_;
  bool eof_ = false;
  bool eof_handled_ = false;
  uint64_t moved_ = 0;
  absl::Time next_write_ = absl::InfinitePast();
  // Buffer mode.
  std::unique_ptr<io::IoBuffer> buf_;  // Copy mode only (no pipe).
  size_t head_ = 0;
  size_t tail_ = 0;
  char last_byte_ = '\0';
  // Splice mode.
  io::Pipe pipe_;
  size_t in_pipe_ = 0;
  bool spliced_ = false;
};

// Watcher keeps the selector's registrations in step with what the relay
// wants this round, and treats descriptors epoll cannot watch (regular
// files) as always ready.
class Watcher {
 public:
  explicit Watcher(selector::Selector* sel) : sel_(sel) {}

  absl::Status Want(const absl::flat_hash_map<int, uint32_t>& want) {
    for (auto& [fd, events] : current_) {
      if (!want.contains(fd) && events != 0) {
        absl::Status s = sel_->Modify(fd, 0, nullptr);
        if (!s.ok()) return s;
        events = 0;
      }
    }
    for (const auto& [fd, events] : want) {
      if (always_ready_.contains(fd)) continue;
      auto it = current_.find(fd);
      absl::Status s;
      if (it == current_.end()) {
        s = sel_->Register(fd, events, nullptr);
        if (s.ok()) {
          current_[fd] = events;
        } else if (s.code() == absl::StatusCode::kPermissionDenied) {  // EPERM: a regular file.
          always_ready_.insert(fd);
          s = absl::OkStatus();
        }
      } else if (it->second != events) {
        s = sel_->Modify(fd, events, nullptr);
        it->second = events;
      }
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

  bool AnyAlwaysReady(const absl::flat_hash_map<int, uint32_t>& want) const {
    for (const auto& [fd, events] : want) {
      if (always_ready_.contains(fd)) return true;
    }
    return false;
  }

  bool IsAlwaysReady(int fd) const { return always_ready_.contains(fd); }

  // Forget stops watching `fd` before it is closed.
  void Forget(int fd) {
    if (current_.erase(fd) > 0) sel_->Unregister(fd).IgnoreError();
    always_ready_.erase(fd);
  }

 private:
  selector::Selector* sel_;
  absl::flat_hash_map<int, uint32_t> current_;
  absl::flat_hash_set<int> always_ready_;
};

}  // namespace

absl::Status Relay(Endpoint local, Endpoint net, const RelayOptions& options, RelayStats* stats) {
  Direction up(local.reader, net.writer, options.read_local, options.buffer_size, options.crlf,
               options.line_interval, options.allow_splice);
  // With read_net off (--send-only) the net is still read, so the peer's
  // bytes do not turn our close into a reset, but they are dropped.
  Direction down(net.reader, options.read_net ? local.writer : nullptr, true, options.buffer_size,
                 false, absl::ZeroDuration(), options.allow_splice);
  absl::StatusOr<std::unique_ptr<selector::Selector>> sel = selector::Selector::Create(options.backend);
  if (!sel.ok()) return sel.status();
  Watcher watcher(sel->get());

  auto report = [&](absl::Status s) {
    if (stats != nullptr) {
      stats->sent = up.moved();
      stats->received = down.moved();
      stats->spliced = up.spliced() || down.spliced();
      stats->local_input_ended = up.eof() && options.read_local && local.reader != nullptr;
    }
    return s;
  };

  absl::Time last_activity = absl::Now();
  absl::Time quit_at = absl::InfiniteFuture();
  bool local_input_idle = true;  // The last round wanted local input and it had none.
  for (;;) {
    absl::Time now = absl::Now();
    // EOF policies, once each direction has delivered everything.
    if (up.done() && !up.eof_handled()) {
      up.set_eof_handled();
      if (options.shutdown_net_on_local_eof && net.writer != nullptr) {
        absl::Status s = net.writer->CloseWrite();
        if (!s.ok()) return report(s);
      }
      if (options.quit_after_local_eof.has_value()) quit_at = now + *options.quit_after_local_eof;
    }
    bool net_ended = down.done() && !down.eof_handled();
    if (net_ended) {
      down.set_eof_handled();
      if (local.writer != nullptr && options.read_net && options.close_local_output_on_net_eof) {
        watcher.Forget(local.writer->fd());
        absl::Status s = local.writer->CloseWrite();
        if (!s.ok()) return report(s);
      }
    }
    // After the peer's EOF, local input is still sent while it keeps coming
    // (nothing read is ever dropped), but an idle input ends the relay.
    bool peer_closed = down.done() && net.reader != nullptr && !options.keep_sending_after_net_eof;
    if (now >= quit_at || (up.done() && down.done()) ||
        (peer_closed && up.pending() == 0 && local_input_idle) ||
        (!options.read_net && up.done())) {
      return report(absl::OkStatus());
    }

    absl::flat_hash_map<int, uint32_t> want;
    if (up.WantsRead()) want[up.src()->fd()] |= up.src()->ReadWaitsFor();
    if (up.WantsWrite(now) && up.dst() != nullptr) want[up.dst()->fd()] |= up.dst()->WriteWaitsFor();
    if (down.WantsRead()) want[down.src()->fd()] |= down.src()->ReadWaitsFor();
    if (down.WantsWrite(now) && down.dst() != nullptr) {
      want[down.dst()->fd()] |= down.dst()->WriteWaitsFor();
    }
    absl::Status s = watcher.Want(want);
    if (!s.ok()) return report(s);

    absl::Time deadline = quit_at;
    if (options.idle_timeout != absl::InfiniteDuration()) {
      deadline = std::min(deadline, last_activity + options.idle_timeout);
    }
    if (!up.done() && up.next_write() > now) {  // Pausing between lines (-i).
      deadline = std::min(deadline, up.next_write());
    }
    bool drop = (down.WantsWrite(now) && down.dst() == nullptr) ||
                (up.WantsWrite(now) && up.dst() == nullptr);
    bool buffered = (up.WantsRead() && up.src()->HasBufferedInput()) ||
                    (down.WantsRead() && down.src()->HasBufferedInput());
    if (watcher.AnyAlwaysReady(want) || drop || peer_closed || buffered) deadline = now;

    absl::StatusOr<std::vector<selector::Event>> ready = (*sel)->Select(deadline);
    if (!ready.ok()) return report(ready.status());
    absl::flat_hash_map<int, uint32_t> got;
    for (const selector::Event& e : *ready) got[e.fd] |= e.events;
    for (const auto& [fd, events] : want) {
      if (watcher.IsAlwaysReady(fd)) got[fd] = selector::kReadable | selector::kWritable;
    }
    for (Direction* d : {&up, &down}) {
      if (d->WantsRead() && d->src()->HasBufferedInput()) got[d->src()->fd()] |= selector::kReadable;
    }
    now = absl::Now();
    local_input_idle = up.eof() || (up.WantsRead() && !got.contains(up.src()->fd()));

    bool progress = false;
    for (Direction* d : {&up, &down}) {
      if (d->WantsWrite(now) && (d->dst() == nullptr || got.contains(d->dst()->fd()))) {
        s = d->Write(now, &progress);
        if (!s.ok()) return report(s);
      }
      if (d->WantsRead() && got.contains(d->src()->fd())) {
        s = d->Read(&progress);
        if (!s.ok()) return report(s);
      }
    }
    if (progress) {
      last_activity = now;
    } else if (options.idle_timeout != absl::InfiniteDuration() &&
               now >= last_activity + options.idle_timeout) {
      return report(absl::DeadlineExceededError(
          absl::StrCat("idle for ", absl::FormatDuration(options.idle_timeout))));
    }
  }
}

}  // namespace ipckit::relay
