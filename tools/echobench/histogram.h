// Histogram records latencies in a log-linear layout (as HdrHistogram does):
// each power of two is split into 32 linear buckets, so every recorded value
// is known to within about 3%, in fixed memory, at any rate.
//
// Example:
//
//   Histogram h;
//   h.Record(absl::Microseconds(250));
//   absl::Duration p99 = h.Percentile(99);
//
// Threads: a Histogram is used from one thread at a time (each runner
// records into its own, merged at the end).
#ifndef IPCKIT_TOOLS_ECHOBENCH_HISTOGRAM_H_
#define IPCKIT_TOOLS_ECHOBENCH_HISTOGRAM_H_

#include <stdint.h>

#include <array>

#include "absl/time/time.h"

namespace ipckit::echobench {

class Histogram {
 public:
  // Record adds one value (negative values count as 0).
  void Record(absl::Duration d);
  // Merge adds every value of `other`.
  void Merge(const Histogram& other);
  uint64_t count() const { return count_; }
  absl::Duration max() const { return absl::Nanoseconds(max_ns_); }
  absl::Duration mean() const;
  // Percentile returns the smallest bucket bound below which `p` percent of
  // the values lie (p in [0, 100]), or zero if nothing was recorded.
  absl::Duration Percentile(double p) const;

 private:
  static constexpr int kSubBits = 5;  // 32 buckets per power of two.
  static constexpr int kBuckets = (64 - kSubBits + 1) << kSubBits;
  static int Index(uint64_t ns);
  static uint64_t UpperBound(int index);

  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  uint64_t max_ns_ = 0;
  long double sum_ns_ = 0;
};

}  // namespace ipckit::echobench

#endif  // IPCKIT_TOOLS_ECHOBENCH_HISTOGRAM_H_
