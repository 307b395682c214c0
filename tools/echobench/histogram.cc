#include "tools/echobench/histogram.h"

#include <algorithm>
#include <cmath>

namespace ipckit::echobench {

int Histogram::Index(uint64_t ns) {
  if (ns < (uint64_t{1} << kSubBits)) return static_cast<int>(ns);
  int top = 63 - __builtin_clzll(ns);  // Position of the highest set bit, >= kSubBits.
  int shift = top - kSubBits;
  int sub = static_cast<int>((ns >> shift) & ((1 << kSubBits) - 1));
  return ((shift + 1) << kSubBits) + sub;
}

uint64_t Histogram::UpperBound(int index) {
  if (index < (1 << kSubBits)) return static_cast<uint64_t>(index);
  int shift = (index >> kSubBits) - 1;
  uint64_t sub = static_cast<uint64_t>(index & ((1 << kSubBits) - 1));
  uint64_t low = ((uint64_t{1} << kSubBits) | sub) << shift;
  return low + ((uint64_t{1} << shift) - 1);
}

void Histogram::Record(absl::Duration d) {
  int64_t ns = absl::ToInt64Nanoseconds(d);
  uint64_t v = ns < 0 ? 0 : static_cast<uint64_t>(ns);
  ++buckets_[static_cast<size_t>(Index(v))];
  ++count_;
  max_ns_ = std::max(max_ns_, v);
  sum_ns_ += v;
}

void Histogram::Merge(const Histogram& o) {
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += o.buckets_[i];
  count_ += o.count_;
  max_ns_ = std::max(max_ns_, o.max_ns_);
  sum_ns_ += o.sum_ns_;
}

absl::Duration Histogram::mean() const {
  return count_ == 0 ? absl::ZeroDuration()
                     : absl::Nanoseconds(static_cast<int64_t>(sum_ns_ / count_));
}

absl::Duration Histogram::Percentile(double p) const {
  if (count_ == 0) return absl::ZeroDuration();
  uint64_t rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::max<uint64_t>(rank, 1);
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      return absl::Nanoseconds(static_cast<int64_t>(std::min(UpperBound(static_cast<int>(i)), max_ns_)));
    }
  }
  return max();
}

}  // namespace ipckit::echobench
