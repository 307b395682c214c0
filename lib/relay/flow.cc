#include "lib/relay/flow.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include <errno.h>
#include <fcntl.h>

#include "absl/strings/str_cat.h"
#include "lib/io/eintr.h"

#include "lib/selector/selector.h"

namespace ipckit::relay {

Flow::Flow(io::Stream* src, io::Stream* dst, size_t capacity, size_t delay_capacity)
    : src_(src),
      dst_(dst),
      capacity_(std::max<size_t>(capacity, 1)),
      delay_capacity_(delay_capacity),
      may_splice_(src->IsPlain() && dst->IsPlain()) {}

bool Flow::StartSplice() {
  absl::StatusOr<io::Pipe> p = io::MakePipe(O_CLOEXEC | O_NONBLOCK);
  if (!p.ok()) return false;  // Out of descriptors, say: copying still works.
  auto s = std::make_unique<Splice>();
  s->pipe = *std::move(p);
  // The pipe is the flow's queue: as big as the copy path's (the kernel may
  // cap it, 1 MiB by default).
  ::fcntl(s->pipe.write.get(), F_SETPIPE_SZ, static_cast<int>(std::max<size_t>(capacity_, 65536)));
  int size = ::fcntl(s->pipe.write.get(), F_GETPIPE_SZ);
  s->capacity = size > 0 ? static_cast<size_t>(size) : 65536;
  splice_ = std::move(s);
  return true;
}

void Flow::StopSplice() {
  if (!splice_) return;
  if (splice_->in_pipe > 0) {
    std::string held(splice_->in_pipe, '\0');
    absl::StatusOr<size_t> n = io::ReadFull(splice_->pipe.read.get(), absl::MakeSpan(held), "read relay pipe");
    held.resize(n.ok() ? *n : 0);  // A pipe's own bytes are always there to read.
    queued_ -= splice_->in_pipe - held.size();
    queue_.insert(queue_.begin() + static_cast<std::ptrdiff_t>(queue_head_), Chunk{std::move(held), 0, absl::InfinitePast()});
  }
  splice_.reset();
}

absl::Status Flow::DrainPipe() {
  while (splice_->in_pipe > 0 && !dst_blocked_) {
    ssize_t n = io::RetryEintr([&] {
      return ::splice(splice_->pipe.read.get(), nullptr, dst_->fd(), nullptr, splice_->in_pipe,
                      SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    });
    if (n < 0 && io::WouldBlock(errno)) {
      dst_blocked_ = true;
      break;
    }
    if (n <= 0) return absl::ErrnoToStatus(n < 0 ? errno : EPIPE, absl::StrCat("write ", dst_->name()));
    splice_->in_pipe -= static_cast<size_t>(n);
    queued_ -= static_cast<size_t>(n);
    moved_ += static_cast<uint64_t>(n);
    spliced_ += static_cast<uint64_t>(n);
  }
  return absl::OkStatus();
}

absl::Status Flow::SpliceIn(absl::Time now) {
  ssize_t n = io::RetryEintr([&] {
    return ::splice(src_->fd(), nullptr, splice_->pipe.write.get(), nullptr, splice_->capacity - splice_->in_pipe,
                    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  });
  if (n < 0) return io::WouldBlock(errno) ? absl::OkStatus() : absl::ErrnoToStatus(errno, absl::StrCat("read ", src_->name()));
  if (n == 0) {
    src_eof_ = true;
    src_eof_at_ = now;
    return absl::OkStatus();
  }
  splice_->in_pipe += static_cast<size_t>(n);
  queued_ += static_cast<size_t>(n);
  return DrainPipe();
}

void Flow::set_shaping(const Shaping& shaping) {
  if (shaping.any()) StopSplice();
  if (shaping.rate != shaping_.rate) {
    tokens_ = 0;
    refilled_ = absl::InfinitePast();
  }
  if (shaping.slice == 0) next_write_ = absl::InfinitePast();
  shaping_ = shaping;
  if (shaping_.limit.has_value() && moved_ >= *shaping_.limit) limit_reached_ = true;
}

// Burst is the most the rate lets through at once: 20 ms worth, so a
// measured rate is within a few percent after a fraction of a second.
static double Burst(uint64_t rate) { return std::max(1.0, static_cast<double>(rate) / 50); }

void Flow::Refill(absl::Time now) {
  if (shaping_.rate == 0) return;
  if (refilled_ != absl::InfinitePast() && now > refilled_) {
    tokens_ = std::min(Burst(shaping_.rate),
                       tokens_ + absl::ToDoubleSeconds(now - refilled_) * static_cast<double>(shaping_.rate));
  }
  if (refilled_ == absl::InfinitePast() || now > refilled_) refilled_ = now;
}

size_t Flow::Allowance(absl::Time now, size_t want, absl::Time* next) const {
  *next = absl::InfiniteFuture();
  if (shaping_.hold || limit_reached_) return 0;
  size_t allowed = std::numeric_limits<size_t>::max();
  if (shaping_.limit.has_value()) allowed = static_cast<size_t>(*shaping_.limit - moved_);
  if (shaping_.slice > 0) {
    if (now < next_write_) {
      *next = next_write_;
      return 0;
    }
    allowed = std::min(allowed, shaping_.slice);
  }
  if (shaping_.rate > 0) {
    double need = std::min(static_cast<double>(std::min(want, allowed)), Burst(shaping_.rate));
    if (tokens_ < need) {
      *next = refilled_ + absl::Seconds((need - tokens_) / static_cast<double>(shaping_.rate));
      return 0;
    }
    allowed = std::min(allowed, static_cast<size_t>(tokens_));
  }
  return std::min(allowed, want);
}

absl::Time Flow::Due(absl::Time now) {
  if (shaping_.latency == absl::ZeroDuration() && shaping_.jitter == absl::ZeroDuration()) return now;
  absl::Duration d = shaping_.latency;
  if (shaping_.jitter > absl::ZeroDuration()) {
    // One generator per thread, seeded once: a std::random_device per flow
    // cost a quarter of relay's CPU per new connection.
    thread_local std::minstd_rand rng{std::random_device{}()};
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    d += u(rng) * shaping_.jitter;
  }
  absl::Time due = std::max(now + std::max(d, absl::ZeroDuration()), last_due_);
  last_due_ = due;
  return due;
}

absl::StatusOr<size_t> Flow::Deliver(absl::Time now, absl::string_view data) {
  absl::Time next;
  size_t len = Allowance(now, data.size(), &next);
  if (len == 0) return 0;
  absl::StatusOr<size_t> n = dst_->Write(data.substr(0, len));
  if (!n.ok()) {
    if (!absl::IsUnavailable(n.status())) return n.status();
    dst_blocked_ = true;
    return 0;
  }
  moved_ += *n;
  if (shaping_.rate > 0) tokens_ -= static_cast<double>(*n);
  if (shaping_.slice > 0) next_write_ = now + shaping_.slice_delay;
  if (shaping_.limit.has_value() && moved_ >= *shaping_.limit) limit_reached_ = true;
  if (*n < len && shaping_.slice == 0) dst_blocked_ = true;  // A short write: the socket is full.
  return *n;
}

absl::Status Flow::WriteQueued(absl::Time now) {
  while (queue_head_ < queue_.size() && !dst_blocked_ && !limit_reached_) {
    Chunk& c = queue_[queue_head_];
    if (c.due > now) break;
    absl::StatusOr<size_t> n = Deliver(now, absl::string_view(c.bytes).substr(c.offset));
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    c.offset += *n;
    queued_ -= *n;
    if (c.offset == c.bytes.size()) queue_[queue_head_++] = Chunk();
  }
  if (queue_head_ == queue_.size()) {
    std::vector<Chunk>().swap(queue_);
    queue_head_ = 0;
  } else if (queue_head_ >= 64 && queue_head_ * 2 >= queue_.size()) {  // A queue that never empties.
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(queue_head_));
    queue_head_ = 0;
  }
  return absl::OkStatus();
}

absl::Status Flow::Read(absl::Time now, absl::Span<char> scratch) {
  size_t room = std::min(scratch.size(), Capacity() - std::min(queued_, Capacity()));
  room = std::max(room, std::min(scratch.size(), src_->MinReadSize()));
  absl::StatusOr<size_t> n = src_->Read(scratch.subspan(0, room));
  if (!n.ok()) return absl::IsUnavailable(n.status()) ? absl::OkStatus() : n.status();
  if (*n == 0) {
    src_eof_ = true;
    src_eof_at_ = now;
    return absl::OkStatus();
  }
  absl::string_view data(scratch.data(), *n);
  // A read that fills the scratch is a bulk transfer: from here on, splice.
  bool bulk = may_splice_ && *n == scratch.size() && !shaping_.any() && queue_head_ == queue_.size();
  absl::Time due = Due(now);
  if (limit_reached_) return absl::OkStatus();  // Past the limit: dropped.
  if (queue_head_ == queue_.size() && due <= now && !dst_blocked_) {
    absl::StatusOr<size_t> w = Deliver(now, data);
    if (!w.ok()) return w.status();
    data.remove_prefix(*w);
  }
  if (!data.empty() && !limit_reached_) {
    queue_.push_back(Chunk{std::string(data), 0, due});
    queued_ += data.size();
  }
  if (bulk && queue_head_ == queue_.size() && !StartSplice()) may_splice_ = false;
  return absl::OkStatus();
}

absl::Status Flow::PassEof(absl::Time now) {
  if (!src_eof_ || queued_ != 0 || eof_sent_ || limit_reached_ || shaping_.hold) return absl::OkStatus();
  if (now < src_eof_at_ + shaping_.eof_delay) return absl::OkStatus();
  eof_sent_ = true;
  return dst_->CloseWrite();
}

absl::Status Flow::Pump(absl::Time now, bool src_ready, bool dst_ready, absl::Span<char> scratch) {
  Refill(now);
  if (dst_ready) dst_blocked_ = false;
  if (splice_) {
    absl::Status s = DrainPipe();
    if (s.ok() && src_ready && WantsRead()) s = SpliceIn(now);
    return s.ok() ? PassEof(now) : s;
  }
  absl::Status s = WriteQueued(now);
  if (!s.ok()) return s;
  if ((src_ready || src_->HasBufferedInput()) && WantsRead()) {
    s = Read(now, scratch);
    if (!s.ok()) return s;
  }
  return PassEof(now);
}

uint32_t Flow::SrcEvents() const { return WantsRead() ? src_->ReadWaitsFor() : 0; }

uint32_t Flow::DstEvents() const { return dst_blocked_ && !limit_reached_ ? dst_->WriteWaitsFor() : 0; }

absl::Time Flow::NextTimer(absl::Time now) const {
  absl::Time t = absl::InfiniteFuture();
  if (limit_reached_ || shaping_.hold) return t;
  if (queue_head_ < queue_.size() && !dst_blocked_) {
    const Chunk& c = queue_[queue_head_];
    absl::Time at = std::max(c.due, now);
    absl::Time next;
    if (Allowance(at, c.bytes.size() - c.offset, &next) == 0) at = std::max(at, next);
    t = at;
  }
  if (src_eof_ && queued_ == 0 && !eof_sent_) t = std::min(t, src_eof_at_ + shaping_.eof_delay);
  return t;
}

}  // namespace ipckit::relay
