// idle_sweep.h: the --idle-timeout rule every ipckit server (echod, relay)
// shares. A connection whose last activity is `limit` or more ago is closed
// by a sweep that runs every limit/4 (never more often than every 10 ms),
// so it goes between `limit` and 1.25 x `limit` after its last byte, and
// the hot path pays only for noting the time of activity.
//
//   server::IdleSweep sweep(absl::Seconds(30), now);
//   ... wait until at most sweep.next() ...
//   if (sweep.Due(now)) for (Conn* c : sweep.Expired(now, conns, last_active)) Close(c);
//
// Times are whatever clock the caller keeps activity in (echod: monotonic
// nanoseconds as absl::FromUnixNanos; relay: absl::Now()), used consistently.
//
// Threads: one IdleSweep per worker thread; it is not shared.
#ifndef IPCKIT_LIB_SERVER_IDLE_SWEEP_H_
#define IPCKIT_LIB_SERVER_IDLE_SWEEP_H_

#include <algorithm>
#include <vector>

#include "absl/time/time.h"

namespace ipckit::server {

class IdleSweep {
 public:
  // IdleSweep with no limit never sweeps.
  IdleSweep() = default;
  // IdleSweep sweeps for connections idle `limit` or longer, first at
  // now + Interval(limit); an infinite `limit` never sweeps.
  IdleSweep(absl::Duration limit, absl::Time now)
      : limit_(limit), next_(limit == absl::InfiniteDuration() ? absl::InfiniteFuture() : now + Interval(limit)) {}

  // Interval is how often a sweep for `limit` runs: limit/4, at least 10 ms.
  static absl::Duration Interval(absl::Duration limit) { return std::max(limit / 4, absl::Milliseconds(10)); }

  bool on() const { return limit_ != absl::InfiniteDuration(); }
  absl::Duration limit() const { return limit_; }
  // next is when the next sweep is due (InfiniteFuture when off): the
  // latest a server's wait may last.
  absl::Time next() const { return next_; }

  // Due reports whether a sweep is due at `now`; if so, the next one is
  // scheduled an Interval later.
  bool Due(absl::Time now) {
    if (now < next_) return false;
    next_ = now + Interval(limit_);
    return true;
  }

  // Idle reports whether activity last seen at `last_active` is `limit` or
  // more before `now`.
  bool Idle(absl::Time last_active, absl::Time now) const { return on() && now - last_active >= limit_; }

  // Expired returns the connections of `conns` (a map from key to a
  // pointer-like owner) that are Idle, as raw pointers, collected before
  // any is closed so the caller may erase from `conns` while closing them.
  template <typename Map, typename LastActive>
  auto Expired(absl::Time now, const Map& conns, LastActive last_active) const {
    std::vector<decltype(&*conns.begin()->second)> idle;
    for (const auto& [key, c] : conns) {
      if (Idle(last_active(*c), now)) idle.push_back(&*c);
    }
    return idle;
  }

 private:
  absl::Duration limit_ = absl::InfiniteDuration();
  absl::Time next_ = absl::InfiniteFuture();
};

}  // namespace ipckit::server

#endif  // IPCKIT_LIB_SERVER_IDLE_SWEEP_H_
