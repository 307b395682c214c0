#include "tools/sigtest/run.h"

#include <signal.h>

#include <map>

#include "gtest/gtest.h"
#include "lib/testing/argv.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::sigtest {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;
using process::ExitStatus;

RunOptions WithCommand() {
  RunOptions o;
  o.command = {"true"};
  return o;
}

TEST(RunTest, APlanFromArgv) {
  RunOptions o;
  absl::StatusOr<std::vector<std::string>> rest = testing::ParseArgv(
      RunToolInfo(), [&](cli::Parser& p) { DeclareRunOptions(p, &o); },
      {"--timeout", "2s", "--kill-after", "1s", "--signal", "INT", "--remap", "124=0", "--forward=child", "--", "sleep",
       "9"});
  ASSERT_THAT(rest, IsOk());
  o.command = *rest;
  absl::StatusOr<RunPlan> p = ValidateRun(o);
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->timeout, absl::Seconds(2));
  EXPECT_EQ(p->kill_after, absl::Seconds(1));
  EXPECT_EQ(p->timeout_signal, SIGINT);
  EXPECT_FALSE(p->forward_to_group);
  EXPECT_EQ(p->remaps.at(124), 0);
  EXPECT_EQ(p->command, (std::vector<std::string>{"sleep", "9"}));
}

TEST(RunTest, ValidateParsesEveryList) {
  RunOptions o = WithCommand();
  o.signal = "KILL";
  o.forward = "child";
  o.remap = {"143=0"};
  o.ignore = "PIPE";
  o.block = "USR1,USR2";
  o.default_ = "INT";
  absl::StatusOr<RunPlan> p = ValidateRun(o);
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->timeout_signal, SIGKILL);
  EXPECT_FALSE(p->forward_to_group);
  EXPECT_EQ(p->remaps.at(143), 0);
  EXPECT_EQ(p->ignore, std::vector<int>{SIGPIPE});
  EXPECT_EQ(p->block, (std::vector<int>{SIGUSR1, SIGUSR2}));
  EXPECT_EQ(p->default_signals, std::vector<int>{SIGINT});
}

TEST(RunTest, ValidateRejectsBadOptions) {
  EXPECT_THAT(ValidateRun(RunOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, "missing command (sigtest run [OPTIONS] -- CMD...)"));
  RunOptions o = WithCommand();
  o.forward = "parent";
  EXPECT_THAT(ValidateRun(o),
              StatusIs(absl::StatusCode::kInvalidArgument, "--forward: expected group or child, got 'parent'"));
  o = WithCommand();
  o.remap = {"143"};
  EXPECT_THAT(ValidateRun(o), StatusIs(absl::StatusCode::kInvalidArgument, "--remap: expected FROM=TO, got '143'"));
}

TEST(RunTest, ExitCodeFollowsTheShellAndTimeout) {
  RunPlan p;
  EXPECT_EQ(RunExitCode(p, ExitStatus::Exited(7), false, false), 7);
  EXPECT_EQ(RunExitCode(p, ExitStatus::Signaled(SIGSEGV), false, false), 128 + SIGSEGV);
  EXPECT_EQ(RunExitCode(p, ExitStatus::Signaled(SIGTERM), true, false), 124);
  EXPECT_EQ(RunExitCode(p, ExitStatus::Signaled(SIGKILL), true, true), 137);
  p.remaps = {{124, 0}};
  EXPECT_EQ(RunExitCode(p, ExitStatus::Exited(0), true, false), 0);
}

TEST(RunTest, ZeroIsNoLimitAndNewOptionsParse) {
  RunOptions o = WithCommand();
  o.timeout = absl::ZeroDuration();
  o.kill_after = absl::ZeroDuration();
  o.rewrite = {"TERM=QUIT", "1=USR1"};
  o.pdeathsig = "KILL";
  o.foreground = true;
  absl::StatusOr<RunPlan> p = ValidateRun(o);
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->timeout, absl::InfiniteDuration());
  EXPECT_EQ(p->kill_after, absl::InfiniteDuration());
  EXPECT_EQ(p->rewrites, (std::map<int, int>{{SIGHUP, SIGUSR1}, {SIGTERM, SIGQUIT}}));
  EXPECT_EQ(p->pdeath_signal, SIGKILL);
  EXPECT_FALSE(p->forward_to_group);  // --foreground signals CMD only.
  o.rewrite = {"TERM"};
  EXPECT_THAT(ValidateRun(o), StatusIs(absl::StatusCode::kInvalidArgument, "--rewrite: expected SIG=SIG, got 'TERM'"));
  o = WithCommand();
  o.pdeathsig = "NOPE";
  EXPECT_THAT(ValidateRun(o), StatusIs(absl::StatusCode::kInvalidArgument, "--pdeathsig: unknown signal 'NOPE'"));
}

TEST(RunTest, ExitCodeOnTimeoutIsGnuTimeouts) {
  RunPlan p;
  p.timeout_signal = SIGKILL;
  EXPECT_EQ(RunExitCode(p, ExitStatus::Signaled(SIGKILL), true, false), 137);
  p.timeout_signal = SIGTERM;
  p.preserve_status = true;
  EXPECT_EQ(RunExitCode(p, ExitStatus::Signaled(SIGTERM), true, false), 143);
  EXPECT_EQ(RunExitCode(p, ExitStatus::Exited(5), true, false), 5);
}

}  // namespace
}  // namespace ipckit::sigtest
