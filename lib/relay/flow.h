// Flow moves bytes one way, from one io::Stream to another, for a program that
// runs its own event loop over many connections (tools/relay): it never
// waits itself. The loop asks what the flow waits for (SrcEvents, DstEvents,
// NextTimer), and calls Pump when one of those came. Relay (relay.h) is the
// one-connection loop for nc; Flow is the piece for many connections at once.
//
// A Flow can shape what it delivers (Shaping, toxiproxy's "toxics"): hold
// bytes for a latency with jitter, deliver at a rate, in slices with a pause
// between them, at most a limit, or nothing at all; and hold back the EOF.
//
//   src --Read--> [queue: chunks, each due at a time] --Write--> dst
//     src EOF, queue empty, eof_delay passed  --> dst->CloseWrite(), done()
//     `limit` bytes delivered                 --> limit_reached(): the
//                                                 owner closes the connection
//
// Memory: an idle flow holds no buffer. Bytes are read into the caller's
// scratch and written on at once; only what the destination does not take
// (or what shaping holds) is copied into the flow's queue, which holds at
// most `capacity` bytes: a full queue stops reading the source (the sender
// is slowed by TCP's window, not by our memory). Under a latency (or
// jitter) the bound is `delay_capacity` instead: bytes wait out their
// delay in the queue, as toxiproxy's do, so a latency delays a transfer
// without throttling it to capacity/latency; only past that bound does the
// window slow the sender.
//
// Zero-copy: when both streams are plain descriptors (io::Stream::IsPlain),
// nothing shapes the flow and a read fills the caller's scratch (a bulk
// transfer, not a request-reply exchange), the flow moves on with splice(2)
// through a pipe of its own: src -> pipe -> dst, the bytes never copied into
// user space, at most `capacity` (the pipe's size) in flight. A shaping set
// later ends it: what the pipe holds joins the queue. Small exchanges and
// idle connections keep the copy path and hold no pipe.
//
// Example (one round of an event loop):
//
//   Flow up(&client, &server, 256 * 1024);
//   ... wait for up.SrcEvents() on client.fd(), up.DstEvents() on server.fd(),
//       or until up.NextTimer() ...
//   absl::Status s = up.Pump(absl::Now(), client_ready, server_ready, scratch);
//   if (!s.ok()) ... "read client: Connection reset by peer" ...
//
// Threads: a Flow is used by one thread at a time (the worker that owns its
// session).
#ifndef IPCKIT_LIB_RELAY_FLOW_H_
#define IPCKIT_LIB_RELAY_FLOW_H_

#include <stddef.h>
#include <stdint.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "lib/io/fd.h"
#include "lib/io/stream.h"

namespace ipckit::relay {

// Shaping is what a Flow does to the bytes it delivers; the default is
// nothing (bytes go on as they come).
struct Shaping {
  absl::Duration latency = absl::ZeroDuration();  // Each read is held this long...
  absl::Duration jitter = absl::ZeroDuration();   // ... plus or minus up to this.
  uint64_t rate = 0;                               // Bytes per second; 0: no limit.
  size_t slice = 0;                                // Write at most this many bytes at a time...
  absl::Duration slice_delay = absl::ZeroDuration();  // ... this long apart.
  std::optional<uint64_t> limit;                   // Deliver at most this many bytes in all.
  bool hold = false;                               // Deliver nothing (bytes wait; reading stops when full).
  absl::Duration eof_delay = absl::ZeroDuration();  // Pass the EOF on this much later.

  bool any() const {
    return latency > absl::ZeroDuration() || jitter > absl::ZeroDuration() || rate > 0 || slice > 0 ||
           limit.has_value() || hold || eof_delay > absl::ZeroDuration();
  }
};

class Flow {
 public:
  // Flow moves bytes from `src` to `dst` (neither owned; both non-blocking),
  // keeping at most `capacity` bytes queued, or `delay_capacity` (if more)
  // while a latency holds them.
  Flow(io::Stream* src, io::Stream* dst, size_t capacity, size_t delay_capacity = 0);

  // set_shaping changes the shaping from now on: rate, slices, limit and
  // hold apply to bytes already queued; latency to bytes read from now on.
  void set_shaping(const Shaping& shaping);
  const Shaping& shaping() const { return shaping_; }

  // Pump reads from the source once if `src_ready` (or the source holds
  // buffered input), then writes what is due if `dst_ready` or the
  // destination was not known to be blocked, then passes the EOF on when it
  // is due. It returns OK, or the first read or write error (named by the
  // stream: "read client: Connection reset by peer"); `scratch` is where
  // reads land (at least 1 byte; the flow keeps no pointer to it).
  absl::Status Pump(absl::Time now, bool src_ready, bool dst_ready, absl::Span<char> scratch);

  // SrcEvents and DstEvents return the selector events (lib/selector's
  // kReadable, kWritable) to wait for on src->fd() and dst->fd(); 0: none.
  uint32_t SrcEvents() const;
  uint32_t DstEvents() const;

  // NextTimer returns when Pump has something to do without an event
  // (held bytes fall due, a slice or the rate allows the next write, the
  // delayed EOF), or absl::InfiniteFuture().
  absl::Time NextTimer(absl::Time now) const;

  // ReadyWithoutWaiting reports that the source holds input no event will
  // announce (a TLS stream's decrypted record) and the flow can take it.
  bool ReadyWithoutWaiting() const { return WantsRead() && src_->HasBufferedInput(); }

  // done reports that the source ended and everything, EOF included, was
  // passed on. limit_reached reports that shaping's limit was delivered.
  bool done() const { return eof_sent_; }
  bool src_eof() const { return src_eof_; }
  bool limit_reached() const { return limit_reached_; }
  // moved returns the bytes delivered; queued the bytes waiting.
  uint64_t moved() const { return moved_; }
  // spliced returns the bytes delivered with splice(2) (part of moved).
  uint64_t spliced() const { return spliced_; }
  // splicing reports whether the flow moves bytes with splice(2) now.
  bool splicing() const { return splice_ != nullptr; }
  // NeverSplice keeps the flow on the copy path (relay --no-splice); call it
  // before the first Pump.
  void NeverSplice() { may_splice_ = false; }
  size_t queued() const { return queued_; }
  io::Stream* src() const { return src_; }
  io::Stream* dst() const { return dst_; }

 private:
  struct Chunk {
    std::string bytes;
    size_t offset = 0;
    absl::Time due;
  };

  bool WantsRead() const { return !src_eof_ && !limit_reached_ && queued_ < Capacity(); }
  // Capacity is the queue's bound now: the pipe's size while splicing,
  // delay_capacity_ under a latency.
  size_t Capacity() const {
    if (splice_) return splice_->capacity;
    bool delaying = shaping_.latency > absl::ZeroDuration() || shaping_.jitter > absl::ZeroDuration();
    return delaying ? std::max(capacity_, delay_capacity_) : capacity_;
  }
  // Allowance returns how many of `want` bytes may be written at `now` (0:
  // none yet), and sets *next to when some may be (InfiniteFuture: never).
  size_t Allowance(absl::Time now, size_t want, absl::Time* next) const;
  void Refill(absl::Time now);
  absl::Status Read(absl::Time now, absl::Span<char> scratch);
  // Deliver writes `data` as far as allowed now and returns how much went.
  absl::StatusOr<size_t> Deliver(absl::Time now, absl::string_view data);
  absl::Status WriteQueued(absl::Time now);
  absl::Status PassEof(absl::Time now);
  // StartSplice makes the pipe (false if it cannot: the copy path goes on);
  // StopSplice moves what the pipe holds to the queue and closes it.
  bool StartSplice();
  void StopSplice();
  // SpliceIn splices from the source into the pipe once; DrainPipe splices
  // from the pipe to the destination until it is empty or the destination
  // is full. Each returns OK or the error named as the streams name theirs.
  absl::Status SpliceIn(absl::Time now);
  absl::Status DrainPipe();
  absl::Time Due(absl::Time now);

  io::Stream* src_;
  io::Stream* dst_;
  size_t capacity_;
  size_t delay_capacity_;
  Shaping shaping_;
  // queue_ from queue_head_ on: a vector, which holds no memory while empty
  // (a std::deque allocates half a KiB at construction, in every idle flow).
  std::vector<Chunk> queue_;
  size_t queue_head_ = 0;
  size_t queued_ = 0;
  bool dst_blocked_ = false;
  bool src_eof_ = false;
  absl::Time src_eof_at_;
  bool eof_sent_ = false;
  bool limit_reached_ = false;
  uint64_t moved_ = 0;
  absl::Time next_write_ = absl::InfinitePast();  // Slicer's pause.
  double tokens_ = 0;                             // Rate: bytes that may go now.
  absl::Time refilled_ = absl::InfinitePast();
  absl::Time last_due_ = absl::InfinitePast();    // Latency: chunks stay in order.
  // Splice is the zero-copy path's state, made only when a flow splices
  // (an idle flow pays one pointer for it).
  struct Splice {
    io::Pipe pipe;
    size_t in_pipe = 0;   // Bytes in the pipe (counted in queued_ too).
    size_t capacity = 0;  // The pipe's size.
  };
  std::unique_ptr<Splice> splice_;
  bool may_splice_ = false;  // Both streams plain, and splicing has not failed.
  uint64_t spliced_ = 0;
};

}  // namespace ipckit::relay

#endif  // IPCKIT_LIB_RELAY_FLOW_H_
