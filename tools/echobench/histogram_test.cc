#include "tools/echobench/histogram.h"

#include "gtest/gtest.h"

namespace ipckit::echobench {
namespace {

TEST(HistogramTest, EmptyIsZero) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.Percentile(50), absl::ZeroDuration());
  EXPECT_EQ(h.mean(), absl::ZeroDuration());
}

TEST(HistogramTest, SmallValuesAreExact) {
  Histogram h;
  for (int i = 1; i <= 10; ++i) h.Record(absl::Nanoseconds(i));
  EXPECT_EQ(h.Percentile(50), absl::Nanoseconds(5));
  EXPECT_EQ(h.Percentile(100), absl::Nanoseconds(10));
  EXPECT_EQ(h.max(), absl::Nanoseconds(10));
}

TEST(HistogramTest, PercentilesWithinThreePercent) {
  Histogram h;
  for (int i = 1; i <= 100000; ++i) h.Record(absl::Microseconds(i));
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    double want = p / 100 * 100000;  // In microseconds.
    double got = absl::ToDoubleMicroseconds(h.Percentile(p));
    EXPECT_GE(got, want * 0.999) << p;
    EXPECT_LE(got, want * 1.035) << p;
  }
  EXPECT_EQ(h.Percentile(100), absl::Microseconds(100000));
  EXPECT_NEAR(absl::ToDoubleMicroseconds(h.mean()), 50000.5, 1);
}

TEST(HistogramTest, NegativeCountsAsZeroAndHugeValuesFit) {
  Histogram h;
  h.Record(absl::Nanoseconds(-5));
  h.Record(absl::Hours(1000));
  EXPECT_EQ(h.Percentile(50), absl::ZeroDuration());
  EXPECT_EQ(h.Percentile(100), absl::Hours(1000));
}

TEST(HistogramTest, MergeAddsCounts) {
  Histogram a, b;
  a.Record(absl::Microseconds(1));
  b.Record(absl::Microseconds(100));
  a.Merge(b);
  EXPECT_EQ(a.count(), 2u);
  EXPECT_EQ(a.max(), absl::Microseconds(100));
}

}  // namespace
}  // namespace ipckit::echobench
