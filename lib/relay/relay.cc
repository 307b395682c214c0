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
#include "lib/io/eintr.h"
#include "lib/io/fd.h"
#include "lib/io/io_buffer.h"
#include "lib/io/unique_fd.h"

namespace ipckit::relay {
namespace {


// Direction moves bytes from `src` to `dst` through a user-space buffer, or
// through a pipe with splice(2) when both are plain descriptors.
class Direction {
 public:
  Direction(io::Stream* src, io::Stream* dst, bool enabled, size_t capacity, bool crlf,
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
  io::Stream* src() const { return src_; }
  io::Stream* dst() const { return dst_; }

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
      if (io::WouldBlock(errno)) return absl::OkStatus();
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
      if (n < 0 && io::WouldBlock(errno)) return absl::OkStatus();
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

  io::Stream* src_;
  io::Stream* dst_;
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

// RelayLoop is one Relay call: the two directions, the selector, and the
// EOF, quit and idle bookkeeping of relay.h's state machine. Each round
// applies the EOF policies, checks whether the relay is over, waits for what
// the directions want, and moves what is ready.
class RelayLoop {
 public:
  RelayLoop(Endpoint local, Endpoint net, const RelayOptions& options, selector::Selector* sel)
      : local_(local),
        net_(net),
        o_(options),
        up_(local.reader, net.writer, options.read_local, options.buffer_size, options.crlf, options.line_interval,
            options.allow_splice),
        // With read_net off (--send-only) the net is still read, so the
        // peer's bytes do not turn our close into a reset, but they are dropped.
        down_(net.reader, options.read_net ? local.writer : nullptr, true, options.buffer_size, false,
              absl::ZeroDuration(), options.allow_splice),
        sel_(sel),
        watcher_(sel) {}

  // Run relays until the relay is over (OK), or returns the first error;
  // kDeadlineExceeded "idle for 5s" at options.idle_timeout.
  absl::Status Run() {
    for (;;) {
      absl::Time now = absl::Now();
      absl::Status s = HandleEofs(now);
      if (!s.ok() || Finished(now)) return s;
      absl::flat_hash_map<int, uint32_t> want = Wanted(now);
      s = watcher_.Want(want);
      if (!s.ok()) return s;
      absl::StatusOr<absl::flat_hash_map<int, uint32_t>> got = Ready(Deadline(now, want), want);
      if (!got.ok()) return got.status();
      now = absl::Now();
      local_input_idle_ = up_.eof() || (up_.WantsRead() && !got->contains(up_.src()->fd()));
      absl::StatusOr<bool> progress = Move(now, *got);
      if (!progress.ok()) return progress.status();
      if (*progress) {
        last_activity_ = now;
      } else if (o_.idle_timeout != absl::InfiniteDuration() && now >= last_activity_ + o_.idle_timeout) {
        return absl::DeadlineExceededError(absl::StrCat("idle for ", absl::FormatDuration(o_.idle_timeout)));
      }
    }
  }

  // Report fills `stats` (when given) with what moved.
  void Report(RelayStats* stats) const {
    if (stats == nullptr) return;
    stats->sent = up_.moved();
    stats->received = down_.moved();
    stats->spliced = up_.spliced() || down_.spliced();
    stats->local_input_ended = up_.eof() && o_.read_local && local_.reader != nullptr;
  }

 private:
  // HandleEofs applies the EOF policies once each direction has delivered
  // everything: shut the net's write side, start -q's timer, close local
  // output. It returns a CloseWrite error.
  absl::Status HandleEofs(absl::Time now) {
    if (up_.done() && !up_.eof_handled()) {
      up_.set_eof_handled();
      if (o_.shutdown_net_on_local_eof && net_.writer != nullptr) {
        absl::Status s = net_.writer->CloseWrite();
        if (!s.ok()) return s;
      }
      if (o_.quit_after_local_eof.has_value()) quit_at_ = now + *o_.quit_after_local_eof;
    }
    if (down_.done() && !down_.eof_handled()) {
      down_.set_eof_handled();
      if (local_.writer != nullptr && o_.read_net && o_.close_local_output_on_net_eof) {
        watcher_.Forget(local_.writer->fd());
        absl::Status s = local_.writer->CloseWrite();
        if (!s.ok()) return s;
      }
    }
    return absl::OkStatus();
  }

  // PeerClosed: the peer's EOF has come and nothing keeps us sending.
  bool PeerClosed() const { return down_.done() && net_.reader != nullptr && !o_.keep_sending_after_net_eof; }

  // Finished says whether the relay is over. After the peer's EOF, local
  // input is still sent while it keeps coming (nothing read is ever
  // dropped), but an idle input ends the relay.
  bool Finished(absl::Time now) const {
    return now >= quit_at_ || (up_.done() && down_.done()) ||
           (PeerClosed() && up_.pending() == 0 && local_input_idle_) || (!o_.read_net && up_.done());
  }

  // Wanted returns the events to wait for on each descriptor this round.
  absl::flat_hash_map<int, uint32_t> Wanted(absl::Time now) {
    absl::flat_hash_map<int, uint32_t> want;
    for (Direction* d : {&up_, &down_}) {
      if (d->WantsRead()) want[d->src()->fd()] |= d->src()->ReadWaitsFor();
      if (d->WantsWrite(now) && d->dst() != nullptr) want[d->dst()->fd()] |= d->dst()->WriteWaitsFor();
    }
    return want;
  }

  // Deadline is when this round's wait ends: -q's quit time, the idle
  // limit, the next line (-i), or now when something is ready without
  // waiting (a regular file, bytes to drop, decrypted bytes held).
  absl::Time Deadline(absl::Time now, const absl::flat_hash_map<int, uint32_t>& want) {
    absl::Time deadline = quit_at_;
    if (o_.idle_timeout != absl::InfiniteDuration()) deadline = std::min(deadline, last_activity_ + o_.idle_timeout);
    if (!up_.done() && up_.next_write() > now) deadline = std::min(deadline, up_.next_write());
    bool drop = (down_.WantsWrite(now) && down_.dst() == nullptr) || (up_.WantsWrite(now) && up_.dst() == nullptr);
    bool buffered =
        (up_.WantsRead() && up_.src()->HasBufferedInput()) || (down_.WantsRead() && down_.src()->HasBufferedInput());
    if (watcher_.AnyAlwaysReady(want) || drop || PeerClosed() || buffered) deadline = now;
    return deadline;
  }

  // Ready waits until `deadline` and returns the events that came, with
  // always-ready descriptors and held decrypted input counted as ready.
  absl::StatusOr<absl::flat_hash_map<int, uint32_t>> Ready(absl::Time deadline,
                                                           const absl::flat_hash_map<int, uint32_t>& want) {
    absl::StatusOr<std::vector<selector::Event>> ready = sel_->Select(deadline);
    if (!ready.ok()) return ready.status();
    absl::flat_hash_map<int, uint32_t> got;
    for (const selector::Event& e : *ready) got[e.fd] |= e.events;
    for (const auto& [fd, events] : want) {
      if (watcher_.IsAlwaysReady(fd)) got[fd] = selector::kReadable | selector::kWritable;
    }
    for (Direction* d : {&up_, &down_}) {
      if (d->WantsRead() && d->src()->HasBufferedInput()) got[d->src()->fd()] |= selector::kReadable;
    }
    return got;
  }

  // Move writes, then reads, in each direction what `got` allows, and
  // returns whether any byte moved.
  absl::StatusOr<bool> Move(absl::Time now, const absl::flat_hash_map<int, uint32_t>& got) {
    bool progress = false;
    for (Direction* d : {&up_, &down_}) {
      if (d->WantsWrite(now) && (d->dst() == nullptr || got.contains(d->dst()->fd()))) {
        absl::Status s = d->Write(now, &progress);
        if (!s.ok()) return s;
      }
      if (d->WantsRead() && got.contains(d->src()->fd())) {
        absl::Status s = d->Read(&progress);
        if (!s.ok()) return s;
      }
    }
    return progress;
  }

  Endpoint local_, net_;
  const RelayOptions& o_;
  Direction up_, down_;
  selector::Selector* sel_;
  Watcher watcher_;
  absl::Time last_activity_ = absl::Now();
  absl::Time quit_at_ = absl::InfiniteFuture();
  bool local_input_idle_ = true;  // The last round wanted local input and it had none.
};

}  // namespace

absl::Status Relay(Endpoint local, Endpoint net, const RelayOptions& options, RelayStats* stats) {
  absl::StatusOr<std::unique_ptr<selector::Selector>> sel = selector::Selector::Create(options.backend);
  if (!sel.ok()) return sel.status();
  RelayLoop loop(local, net, options, sel->get());
  absl::Status s = loop.Run();
  loop.Report(stats);
  return s;
}

}  // namespace ipckit::relay
