// datagram_shaper.h is one direction of a datagram session under faults:
// what tc netem does to packets, in user space (relay's udp: and
// unix-dgram: sessions). A datagram offered is lost (loss), sent twice
// (duplicate), held for latency +- jitter (so jitter reorders, as in
// netem), paced at a rate, and, as it goes out, held back until the next
// one has gone (reorder; or kReorderHold if none comes). Boundaries are
// kept: a datagram is delayed, dropped or copied whole, never cut.
//
//   offer --> lost? --> copies (duplicate) --> queue, due at now + latency +- jitter,
//             paced by rate --> TakeDue --> reorder hold? --> out
//
// Memory: at most `capacity` bytes wait; a datagram past it is dropped
// (kOverflow), as a full router queue drops.
//
// Threads: a DatagramShaper is used by one thread (its session's worker).
#ifndef IPCKIT_LIB_RELAY_DATAGRAM_SHAPER_H_
#define IPCKIT_LIB_RELAY_DATAGRAM_SHAPER_H_

#include <stddef.h>
#include <stdint.h>

#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ipckit::relay {

// DatagramShaping is what happens to one direction's datagrams; the default
// is nothing.
struct DatagramShaping {
  absl::Duration latency = absl::ZeroDuration();
  absl::Duration jitter = absl::ZeroDuration();  // Each datagram's delay is latency +- up to this.
  uint64_t rate = 0;                              // Bytes per second; 0: no limit.
  double loss = 0;                                // Chance a datagram is dropped.
  double duplicate = 0;                           // Chance it is sent twice.
  double reorder = 0;                             // Chance it goes out after the next one.

  // any says whether the shaping does anything.
  bool any() const;
};

class DatagramShaper {
 public:
  // kReorderHold is how long a datagram held for reordering waits for a
  // next one before it goes out anyway.
  static constexpr absl::Duration kReorderHold = absl::Milliseconds(20);

  enum class Fate { kQueued, kDuplicated, kLost, kOverflow };

  DatagramShaper(const DatagramShaping& shaping, size_t capacity) : shaping_(shaping), capacity_(capacity) {}

  void set_shaping(const DatagramShaping& s) { shaping_ = s; }
  const DatagramShaping& shaping() const { return shaping_; }

  // Offer takes one datagram at `now` and says what became of it.
  Fate Offer(absl::string_view datagram, absl::Time now, std::minstd_rand& rng);

  // TakeDue appends to `out` the datagrams to send at `now`, in order.
  void TakeDue(absl::Time now, std::minstd_rand& rng, std::vector<std::string>* out);

  // NextTimer is when TakeDue has something next (InfiniteFuture: nothing waits).
  absl::Time NextTimer() const;

  // queued is the bytes waiting.
  size_t queued() const { return queued_; }

 private:
  bool Queue(absl::string_view datagram, absl::Time due);

  DatagramShaping shaping_;
  size_t capacity_;
  size_t queued_ = 0;
  uint64_t sequence_ = 0;                                        // Keeps equal due times in order.
  std::map<std::pair<absl::Time, uint64_t>, std::string> queue_;  // By when it is due.
  absl::Time paced_until_ = absl::InfinitePast();                 // The rate's next free moment.
  std::optional<std::pair<absl::Time, std::string>> held_;         // Held for reordering, until .first.
};

}  // namespace ipckit::relay

#endif  // IPCKIT_LIB_RELAY_DATAGRAM_SHAPER_H_
