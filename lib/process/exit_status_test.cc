#include "lib/process/exit_status.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"

namespace ipckit::process {
namespace {

ExitStatus RunAndWait(void (*body)()) {
  pid_t pid = ::fork();
  if (pid == 0) {
    body();
    ::_exit(99);
  }
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  return ExitStatus::FromWaitStatus(wstatus);
}

TEST(ExitStatusTest, DecodesAnExitCode) {
  ExitStatus s = RunAndWait([] { ::_exit(3); });
  EXPECT_EQ(s, ExitStatus::Exited(3));
  EXPECT_EQ(s.ShellCode(), 3);
  EXPECT_FALSE(s.Success());
  EXPECT_EQ(s.ToString(), "exit=3");
  EXPECT_EQ(s.Describe(), "exited with status 3");
}

TEST(ExitStatusTest, DecodesATerminatingSignal) {
  ExitStatus s = RunAndWait([] { ::kill(::getpid(), SIGTERM); });
  EXPECT_EQ(s, ExitStatus::Signaled(SIGTERM));
  EXPECT_EQ(s.ShellCode(), 128 + SIGTERM);
  EXPECT_EQ(s.ToString(), "signal=TERM");
  EXPECT_EQ(s.Describe(), "killed by signal 15");
}

TEST(ExitStatusTest, ZeroIsSuccess) {
  EXPECT_TRUE(RunAndWait([] { ::_exit(0); }).Success());
  EXPECT_FALSE(ExitStatus::Signaled(SIGKILL).Success());
}

TEST(ExitStatusTest, RealTimeSignalsAreNamedAsBashNamesThem) {
  EXPECT_EQ(ExitStatus::Signaled(SIGRTMIN + 3).ToString(), "signal=RTMIN+3");  // lib/signal's names, as bash's.
}

}  // namespace
}  // namespace ipckit::process
