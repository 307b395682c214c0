#include "lib/relay/datagram_shaper.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ipckit::relay {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1000);

std::vector<std::string> Due(DatagramShaper& s, absl::Time now, std::minstd_rand& rng) {
  std::vector<std::string> out;
  s.TakeDue(now, rng, &out);
  return out;
}

TEST(DatagramShaperTest, NoShapingSendsAtOnceInOrder) {
  std::minstd_rand rng(1);
  DatagramShaper s({}, 1 << 20);
  EXPECT_FALSE(s.shaping().any());
  EXPECT_EQ(s.Offer("a", kT0, rng), DatagramShaper::Fate::kQueued);
  EXPECT_EQ(s.Offer("b", kT0, rng), DatagramShaper::Fate::kQueued);
  EXPECT_EQ(s.NextTimer(), kT0);
  EXPECT_EQ(Due(s, kT0, rng), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.NextTimer(), absl::InfiniteFuture());
}

TEST(DatagramShaperTest, LatencyHoldsEachDatagramWhole) {
  std::minstd_rand rng(1);
  DatagramShaping sh;
  sh.latency = absl::Milliseconds(100);
  DatagramShaper s(sh, 1 << 20);
  s.Offer("first", kT0, rng);
  s.Offer("second", kT0 + absl::Milliseconds(30), rng);
  EXPECT_TRUE(Due(s, kT0 + absl::Milliseconds(99), rng).empty());
  EXPECT_EQ(Due(s, kT0 + absl::Milliseconds(100), rng), std::vector<std::string>{"first"});
  EXPECT_EQ(s.NextTimer(), kT0 + absl::Milliseconds(130));
  EXPECT_EQ(Due(s, kT0 + absl::Milliseconds(130), rng), std::vector<std::string>{"second"});
}

TEST(DatagramShaperTest, LossAndDuplicateHitTheirShare) {
  std::minstd_rand rng(7);
  DatagramShaping sh;
  sh.loss = 0.25;
  sh.duplicate = 0.5;
  DatagramShaper s(sh, 1 << 20);
  int lost = 0, doubled = 0;
  for (int i = 0; i < 4000; ++i) {
    DatagramShaper::Fate f = s.Offer("x", kT0, rng);
    lost += f == DatagramShaper::Fate::kLost;
    doubled += f == DatagramShaper::Fate::kDuplicated;
  }
  EXPECT_NEAR(lost, 1000, 120);
  EXPECT_NEAR(doubled, 1500, 150);  // Half of the 3000 kept.
  EXPECT_EQ(Due(s, kT0, rng).size(), static_cast<size_t>(4000 - lost + doubled));
}

TEST(DatagramShaperTest, ReorderSendsAHeldDatagramAfterTheNext) {
  std::minstd_rand rng(1);
  DatagramShaping sh;
  sh.reorder = 1;  // Every other one is held (one at a time).
  DatagramShaper s(sh, 1 << 20);
  for (const char* d : {"1", "2", "3", "4", "5"}) s.Offer(d, kT0, rng);
  EXPECT_EQ(Due(s, kT0, rng), (std::vector<std::string>{"2", "1", "4", "3"}));
  EXPECT_EQ(s.NextTimer(), kT0 + DatagramShaper::kReorderHold);  // "5" has no next one.
  EXPECT_EQ(Due(s, kT0 + DatagramShaper::kReorderHold, rng), std::vector<std::string>{"5"});
}

TEST(DatagramShaperTest, RatePacesAndCapacityDrops) {
  std::minstd_rand rng(1);
  DatagramShaping sh;
  sh.rate = 1000;  // 1000 bytes/s: a 100-byte datagram every 100 ms.
  DatagramShaper s(sh, 250);
  std::string d(100, 'x');
  EXPECT_EQ(s.Offer(d, kT0, rng), DatagramShaper::Fate::kQueued);
  EXPECT_EQ(s.Offer(d, kT0, rng), DatagramShaper::Fate::kQueued);
  EXPECT_EQ(s.Offer(d, kT0, rng), DatagramShaper::Fate::kOverflow);  // 300 > 250 bytes.
  EXPECT_EQ(Due(s, kT0, rng).size(), 1u);
  EXPECT_EQ(s.NextTimer(), kT0 + absl::Milliseconds(100));
  EXPECT_EQ(Due(s, kT0 + absl::Milliseconds(100), rng).size(), 1u);
}

}  // namespace
}  // namespace ipckit::relay
