#include "lib/io/wait.h"

#include <poll.h>

#include "gtest/gtest.h"
#include "lib/io/fd.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::io {
namespace {

using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::StatusIs;

TEST(WaitTest, PollTimeoutRoundsUpAndClamps) {
  absl::Time now = absl::FromUnixSeconds(1000);
  EXPECT_EQ(PollTimeoutMs(absl::InfiniteFuture(), now), -1);
  EXPECT_EQ(PollTimeoutMs(now, now), 0);
  EXPECT_EQ(PollTimeoutMs(now - absl::Seconds(1), now), 0);
  EXPECT_EQ(PollTimeoutMs(absl::InfinitePast(), now), 0);
  EXPECT_EQ(PollTimeoutMs(now + absl::Microseconds(1), now), 1);
  EXPECT_EQ(PollTimeoutMs(now + absl::Milliseconds(1500), now), 1500);
  EXPECT_EQ(PollTimeoutMs(now + absl::Hours(24 * 365), now), 1 << 30);
}

TEST(WaitTest, WaitUntilReportsReadinessAndTimeout) {
  absl::StatusOr<Pipe> p = MakePipe();
  ASSERT_TRUE(p.ok());
  absl::Time start = absl::Now();
  EXPECT_THAT(WaitUntil(p->read.get(), POLLIN, start + absl::Milliseconds(50), "read pipe"), IsOkAndHolds(false));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(50));
  ASSERT_TRUE(WriteAll(p->write.get(), "x").ok());
  EXPECT_THAT(WaitUntil(p->read.get(), POLLIN, absl::InfiniteFuture(), "read pipe"), IsOkAndHolds(true));
}

}  // namespace
}  // namespace ipckit::io
