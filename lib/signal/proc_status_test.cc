#include "lib/signal/proc_status.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::signal {
namespace {

using ::absl::StatusCode;
using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;
using ::testing::ElementsAre;

constexpr char kStatus[] =
    "Name:\tsleep\nState:\tS (sleeping)\nSigQ:\t0/63704\nSigPnd:\t0000000000000000\n"
    "ShdPnd:\t0000000000004000\nSigBlk:\t0000000000000002\nSigIgn:\t0000000000000004\n"
    "SigCgt:\t8000000000000200\nCapInh:\t0000000000000000\n";

TEST(ProcStatusTest, DecodesEveryMask) {
  absl::StatusOr<SignalMasks> m = DecodeSignalMasks(kStatus);
  ASSERT_THAT(m, IsOk());
  EXPECT_EQ(FormatSet(m->blocked), "INT");
  EXPECT_EQ(FormatSet(m->ignored), "QUIT");
  EXPECT_EQ(FormatSet(m->caught), "USR1,RTMAX");
  EXPECT_EQ(FormatSet(m->pending), "-");
  EXPECT_EQ(FormatSet(m->shared_pending), "TERM");
}

TEST(ProcStatusTest, ReportsMissingAndBadFields) {
  EXPECT_THAT(DecodeSignalMasks("SigBlk:\t0\n"),
              StatusIs(StatusCode::kInvalidArgument, "/proc status: no SigIgn line"));
  EXPECT_THAT(DecodeSignalMasks("SigBlk:\tzz\n"),
              StatusIs(StatusCode::kInvalidArgument, "/proc status: bad SigBlk value 'zz'"));
}

TEST(ProcStatusTest, MembersAndMaskOfAreInverse) {
  std::vector<int> sigs = {1, 2, 15, 34, 64};
  EXPECT_THAT(Members(MaskOf(sigs)), ElementsAre(1, 2, 15, 34, 64));
  EXPECT_EQ(MaskOf({64}), uint64_t{1} << 63);
}

TEST(ProcStatusTest, ReadsOwnBlockedMask) {
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &set, &old), 0);
  absl::StatusOr<SignalMasks> m = ReadSignalMasks(::getpid());
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ASSERT_THAT(m, IsOk());
  EXPECT_NE(m->blocked & MaskOf({SIGUSR2}), 0u);  // The main thread's mask.
}

TEST(ProcStatusTest, MissingProcessIsNotFound) {
  EXPECT_THAT(ReadSignalMasks(999999999), StatusIs(StatusCode::kNotFound, "no process 999999999"));
}

}  // namespace
}  // namespace ipckit::signal
