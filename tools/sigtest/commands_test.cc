// sigtest's tool contract: each command's Plan is made from argv (DeclareX,
// then ValidateX), every signal and target parsed, nothing sent or blocked.
#include "tools/sigtest/commands.h"

#include <signal.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/testing/argv.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::sigtest {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;

using ::ipckit::testing::CommandPlan;

TEST(CommandsTest, SignalsAndTargetsAreParsedOnce) {
  absl::StatusOr<SendPlan> send = CommandPlan("sigtest send", DeclareSend, ValidateSend, {"-s", "USR1", "--value", "7", "123"});
  ASSERT_THAT(send, IsOk());
  EXPECT_EQ(send->signal, SIGUSR1);
  EXPECT_EQ(*send->value, 7);
  EXPECT_EQ(send->targets, std::vector<int>{123});
  EXPECT_EQ(CommandPlan("sigtest send", DeclareSend, ValidateSend, {"-s", "0", "--", "-55"})->signal, 0);
  absl::StatusOr<ListPlan> list = CommandPlan("sigtest list", DeclareList, ValidateList, {"TERM", "9"});
  ASSERT_THAT(list, IsOk());
  ASSERT_EQ(list->queries.size(), 2u);
  EXPECT_EQ(list->queries[0].signal, SIGTERM);
  EXPECT_FALSE(list->queries[0].by_number);
  EXPECT_TRUE(list->queries[1].by_number);
  absl::StatusOr<LogPlan> log = CommandPlan("sigtest log", DeclareLog, ValidateLog, {"--catch", "TERM,USR1", "-n", "2"});
  ASSERT_THAT(log, IsOk());
  EXPECT_EQ(log->signals, (std::vector<int>{SIGTERM, SIGUSR1}));
  EXPECT_EQ(log->count, 2);
  absl::StatusOr<DemoPlan> alarm = CommandPlan("sigtest alarm", DeclareDemo, ValidateDemo, {"-i", "10ms", "-n", "3"});
  ASSERT_THAT(alarm, IsOk());
  EXPECT_EQ(alarm->demo, "alarm");
  EXPECT_EQ(alarm->interval, absl::Milliseconds(10));
}

TEST(CommandsTest, UsageErrorsBeforeAnySignal) {
  EXPECT_THAT(CommandPlan("sigtest send", DeclareSend, ValidateSend, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, "expected PID or -PGID"));
  EXPECT_THAT(CommandPlan("sigtest send", DeclareSend, ValidateSend, {"--", "-1"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "invalid target '-1' (PID or -PGID)"));
  EXPECT_THAT(CommandPlan("sigtest send", DeclareSend, ValidateSend, {"--value", "1", "--", "-5"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "--value needs a PID, not a process group"));
  EXPECT_THAT(CommandPlan("sigtest mask", DeclareMask, ValidateMask, {"x"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "expected one PID"));
  EXPECT_THAT(CommandPlan("sigtest log", DeclareLog, ValidateLog, {"--catch", "KILL"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "KILL cannot be caught"));
  EXPECT_THAT(CommandPlan("sigtest log", DeclareLog, ValidateLog, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, "give exactly one of --catch SIGS and --all"));
  EXPECT_THAT(CommandPlan("sigtest coalesce", DeclareDemo, ValidateDemo, {"extra"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "unexpected argument 'extra'"));
  EXPECT_FALSE(CommandPlan("sigtest list", DeclareList, ValidateList, {"NOPE"}).ok());
}

}  // namespace
}  // namespace ipckit::sigtest
