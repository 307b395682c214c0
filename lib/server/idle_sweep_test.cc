#include "lib/server/idle_sweep.h"

#include <map>
#include <memory>

#include "gtest/gtest.h"

namespace ipckit::server {
namespace {

struct Conn {
  absl::Time last_active;
};

const absl::Time kT0 = absl::FromUnixSeconds(1000);

TEST(IdleSweepTest, WithoutALimitNeverSweeps) {
  IdleSweep off(absl::InfiniteDuration(), kT0);
  EXPECT_FALSE(off.on());
  EXPECT_EQ(off.next(), absl::InfiniteFuture());
  EXPECT_FALSE(off.Due(kT0 + absl::Hours(1000)));
  EXPECT_FALSE(off.Idle(kT0, kT0 + absl::Hours(1000)));
  EXPECT_FALSE(IdleSweep().on());
}

TEST(IdleSweepTest, SweepsEveryQuarterOfTheLimitAndNotMoreOftenThan10Ms) {
  EXPECT_EQ(IdleSweep::Interval(absl::Seconds(4)), absl::Seconds(1));
  EXPECT_EQ(IdleSweep::Interval(absl::Milliseconds(1)), absl::Milliseconds(10));
  IdleSweep sweep(absl::Seconds(4), kT0);
  EXPECT_EQ(sweep.next(), kT0 + absl::Seconds(1));
  EXPECT_FALSE(sweep.Due(kT0 + absl::Milliseconds(999)));
  EXPECT_TRUE(sweep.Due(kT0 + absl::Milliseconds(1500)));
  EXPECT_EQ(sweep.next(), kT0 + absl::Milliseconds(2500));  // An interval after the sweep, not after the schedule.
  EXPECT_FALSE(sweep.Due(kT0 + absl::Milliseconds(2000)));
}

TEST(IdleSweepTest, ExpiredIsExactlyTheConnectionsIdleForTheLimitOrLonger) {
  IdleSweep sweep(absl::Seconds(10), kT0);
  std::map<int, std::unique_ptr<Conn>> conns;
  conns[1] = std::make_unique<Conn>(Conn{kT0});                        // Idle exactly 10 s.
  conns[2] = std::make_unique<Conn>(Conn{kT0 + absl::Milliseconds(1)});  // 1 ms short.
  conns[3] = std::make_unique<Conn>(Conn{kT0 - absl::Hours(1)});
  absl::Time now = kT0 + absl::Seconds(10);
  std::vector<Conn*> idle = sweep.Expired(now, conns, [](const Conn& c) { return c.last_active; });
  ASSERT_EQ(idle.size(), 2u);
  EXPECT_EQ(idle[0], conns[1].get());
  EXPECT_EQ(idle[1], conns[3].get());
  for (Conn* c : idle) {  // The caller may close them all while it walks the list.
    for (auto it = conns.begin(); it != conns.end(); ++it) {
      if (it->second.get() == c) {
        conns.erase(it);
        break;
      }
    }
  }
  ASSERT_EQ(conns.size(), 1u);
  EXPECT_EQ(conns.begin()->first, 2);
}

}  // namespace
}  // namespace ipckit::server
