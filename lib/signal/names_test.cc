#include "lib/signal/names.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::signal {
namespace {

using ::absl::StatusCode;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::StatusIs;
using ::testing::ElementsAre;

TEST(NamesTest, StandardNames) {
  EXPECT_EQ(SignalName(SIGTERM), "TERM");
  EXPECT_EQ(SignalName(SIGKILL), "KILL");
  EXPECT_EQ(SignalName(SIGSTKFLT), "STKFLT");
  EXPECT_EQ(SignalName(SIGSYS), "SYS");
}

TEST(NamesTest, RealTimeNamesAsBash) {
  EXPECT_EQ(SignalName(34), "RTMIN");
  EXPECT_EQ(SignalName(35), "RTMIN+1");
  EXPECT_EQ(SignalName(49), "RTMIN+15");
  EXPECT_EQ(SignalName(50), "RTMAX-14");
  EXPECT_EQ(SignalName(63), "RTMAX-1");
  EXPECT_EQ(SignalName(64), "RTMAX");
  EXPECT_EQ(SignalName(32), "32");  // glibc's own.
}

TEST(NamesTest, ParseForms) {
  EXPECT_THAT(ParseSignal("TERM"), IsOkAndHolds(SIGTERM));
  EXPECT_THAT(ParseSignal("SIGTERM"), IsOkAndHolds(SIGTERM));
  EXPECT_THAT(ParseSignal("sigterm"), IsOkAndHolds(SIGTERM));
  EXPECT_THAT(ParseSignal("15"), IsOkAndHolds(15));
  EXPECT_THAT(ParseSignal("64"), IsOkAndHolds(64));
  EXPECT_THAT(ParseSignal("RTMIN"), IsOkAndHolds(34));
  EXPECT_THAT(ParseSignal("SIGRTMIN+2"), IsOkAndHolds(36));
  EXPECT_THAT(ParseSignal("rtmax-1"), IsOkAndHolds(63));
  EXPECT_THAT(ParseSignal("IOT"), IsOkAndHolds(SIGABRT));
  EXPECT_THAT(ParseSignal("CLD"), IsOkAndHolds(SIGCHLD));
}

TEST(NamesTest, RoundTripEveryNumber) {
  for (int sig = 1; sig <= kMaxSignal; ++sig) {
    EXPECT_THAT(ParseSignal(SignalName(sig)), IsOkAndHolds(sig)) << sig;
  }
}

TEST(NamesTest, ParseRejects) {
  for (const char* bad : {"", "0", "65", "-1", "FOO", "SIG", "RTMIN-1", "RTMAX+1", "RTMIN+31",
                          "RTMIN+", "RTMIN+x", "15x", " 15"}) {
    EXPECT_THAT(ParseSignal(bad), StatusIs(StatusCode::kInvalidArgument,
                                           absl::StrCat("unknown signal '", bad, "'")))
        << bad;
  }
}

TEST(NamesTest, Lists) {
  EXPECT_THAT(ParseSignalList("TERM,INT,36"), IsOkAndHolds(ElementsAre(SIGTERM, SIGINT, 36)));
  EXPECT_THAT(ParseSignalList("TERM,,INT"), StatusIs(StatusCode::kInvalidArgument, "unknown signal ''"));
}

TEST(NamesTest, CatchableSignalsLeaveOutKillStopAndLibcOwn) {
  std::vector<int> c = CatchableSignals();
  EXPECT_EQ(c.size(), 64u - 4u);
  for (int s : {SIGKILL, SIGSTOP, 32, 33}) EXPECT_THAT(c, ::testing::Not(::testing::Contains(s))) << s;
  EXPECT_EQ(c.front(), SIGHUP);
  EXPECT_EQ(c.back(), 64);
  EXPECT_TRUE(IsLibcInternal(32));
  EXPECT_FALSE(IsLibcInternal(SIGRTMIN));
}

TEST(NamesTest, DefaultActions) {
  EXPECT_EQ(DefaultAction(SIGTERM), Action::kTerminate);
  EXPECT_EQ(DefaultAction(SIGSEGV), Action::kCore);
  EXPECT_EQ(DefaultAction(SIGCHLD), Action::kIgnore);
  EXPECT_EQ(DefaultAction(SIGTSTP), Action::kStop);
  EXPECT_EQ(DefaultAction(SIGCONT), Action::kContinue);
  EXPECT_EQ(DefaultAction(40), Action::kTerminate);
  EXPECT_STREQ(ActionName(Action::kCore), "core");
}

}  // namespace
}  // namespace ipckit::signal
