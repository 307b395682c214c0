#include "lib/process/spawn.h"

#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "lib/io/fd.h"
#include "lib/testing/status_matchers.h"
#include "lib/testing/temp_dir.h"

namespace ipckit::process {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::StatusIs;

const absl::Duration kTimeout = absl::Seconds(20);

// Output runs argv with its stdout on a pipe and returns what it wrote.
std::string Output(const std::vector<std::string>& argv, SpawnOptions o = {}) {
  absl::StatusOr<io::Pipe> p = io::MakePipe(O_CLOEXEC);
  EXPECT_THAT(p, IsOk());
  o.fds.push_back({1, p->write.get()});
  absl::StatusOr<Child> c = Spawn(argv, o);
  EXPECT_THAT(c, IsOk());
  if (!c.ok()) return "";
  p->write.reset();
  absl::StatusOr<std::string> out = io::ReadToEnd(p->read.get());
  EXPECT_THAT(c->Wait(absl::Now() + kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  return out.ok() ? *out : "";
}

TEST(SpawnTest, RunsAProgramFromPath) {
  EXPECT_EQ(Output({"echo", "a", "b c"}), "a b c\n");
}

TEST(SpawnTest, MissingProgramIsNotFound) {
  EXPECT_THAT(Spawn({"ipckit-no-such-tool"}),
              StatusIs(absl::StatusCode::kNotFound, "exec ipckit-no-such-tool: No such file or directory"));
}

TEST(SpawnTest, FileThatIsNotExecutableIsPermissionDenied) {
  absl::StatusOr<testing::TempDir> dir = testing::TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  std::string path = dir->Path("notes.txt");
  ASSERT_THAT(io::WriteFileAtomically(path, "not a program\n"), IsOk());
  EXPECT_THAT(Spawn({path}), StatusIs(absl::StatusCode::kPermissionDenied, "exec " + path + ": Permission denied"));
}

TEST(SpawnTest, AScriptWithoutAnInterpreterLineRunsWithSh) {
  // execve fails with ENOEXEC; execvp, GNU timeout, tini and dumb-init then
  // run the file with /bin/sh (it gave exit 126 here, issue 27).
  absl::StatusOr<testing::TempDir> dir = testing::TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  std::string path = dir->Path("script");
  ASSERT_THAT(io::WriteFileAtomically(path, "echo \"$0\" \"$1\" \"$2\"\n"), IsOk());
  ASSERT_EQ(::chmod(path.c_str(), 0755), 0);
  EXPECT_EQ(Output({path, "one", "two words"}), path + " one two words\n");
}

TEST(SpawnTest, EmptyCommandIsInvalid) {
  EXPECT_THAT(Spawn({}), StatusIs(absl::StatusCode::kInvalidArgument, "exec: empty command"));
}

TEST(SpawnTest, ReportsExitCodeAndSignal) {
  absl::StatusOr<Child> c = Spawn(ShellArgv("exit 7"));
  ASSERT_THAT(c, IsOk());
  EXPECT_THAT(c->Wait(absl::Now() + kTimeout), IsOkAndHolds(ExitStatus::Exited(7)));
  EXPECT_THAT(c->Signal(SIGTERM), StatusIs(absl::StatusCode::kNotFound));  // ESRCH once reaped.

  absl::StatusOr<Child> k = Spawn({"sleep", "30"});
  ASSERT_THAT(k, IsOk());
  EXPECT_EQ(k->Poll(), std::nullopt);
  EXPECT_THAT(k->Signal(SIGTERM), IsOk());
  EXPECT_THAT(k->Wait(absl::Now() + kTimeout), IsOkAndHolds(ExitStatus::Signaled(SIGTERM)));
}

TEST(SpawnTest, WaitStopsAtTheDeadline) {
  absl::StatusOr<Child> c = Spawn({"sleep", "30"});
  ASSERT_THAT(c, IsOk());
  EXPECT_THAT(c->Wait(absl::Now() + absl::Milliseconds(50)),
              StatusIs(absl::StatusCode::kDeadlineExceeded, "pid " + std::to_string(c->pid()) + " is still running"));
  EXPECT_THAT(c->Signal(SIGKILL), IsOk());
  EXPECT_THAT(c->Wait(), IsOkAndHolds(ExitStatus::Signaled(SIGKILL)));
}

TEST(SpawnTest, NewProcessGroupIsSignalledAsAGroup) {
  SpawnOptions o;
  o.new_process_group = true;
  absl::StatusOr<Child> c = Spawn(ShellArgv("sleep 30 & wait"), o);
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(::getpgid(c->pid()), c->pid());
  EXPECT_THAT(c->SignalGroup(SIGKILL), IsOk());
  EXPECT_THAT(c->Wait(absl::Now() + kTimeout), IsOkAndHolds(ExitStatus::Signaled(SIGKILL)));
}

TEST(SpawnTest, StopEndsAStoppedChildAndItsGroup) {
  // A child that stopped itself sees SIGTERM once SIGCONT comes; its
  // background job goes with the group.
  absl::StatusOr<testing::TempDir> dir = testing::TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  std::string pidfile = dir->Path("bg");
  SpawnOptions o;
  o.new_process_group = true;
  absl::StatusOr<Child> c = Spawn({"sh", "-c", "sleep 30 & echo $! > " + pidfile + "; kill -STOP $$"}, o);
  ASSERT_THAT(c, IsOk());
  // /proc is read with lib/io (a process that goes while an ifstream reads
  // its stat makes libstdc++ throw: "error reading the file: No such process").
  auto bg_pid = [&] {
    pid_t pid = 0;
    std::string text = io::ReadFile(pidfile).value_or("");
    return absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &pid) ? pid : 0;
  };
  for (int i = 0; i < 2000 && bg_pid() == 0; ++i) absl::SleepFor(absl::Milliseconds(5));
  auto state = [](pid_t pid) { return ReadProcStat(pid).state; };
  for (int i = 0; i < 2000 && state(c->pid()) != 'T'; ++i) absl::SleepFor(absl::Milliseconds(5));
  ASSERT_EQ(state(c->pid()), 'T');  // sh has stopped itself.
  pid_t bg = bg_pid();
  ASSERT_GT(bg, 0);
  absl::Time start = absl::Now();
  EXPECT_EQ(c->Stop(absl::Seconds(5)), ExitStatus::Signaled(SIGTERM));
  EXPECT_LT(absl::Now() - start, absl::Seconds(4));
  // The background sleep got the group's TERM (a zombie of init, or gone).
  for (int i = 0; i < 400 && ::kill(bg, 0) == 0; ++i) {
    if (state(bg) == 0 || state(bg) == 'Z') break;
    absl::SleepFor(absl::Milliseconds(5));
  }
  char last = state(bg);
  EXPECT_TRUE(last == 0 || last == 'Z') << last;
}

TEST(SpawnTest, MapsDescriptorsAndDevNull) {
  SpawnOptions o;
  o.fds = {{0, SpawnOptions::kDevNull}};
  o.cwd = "/";
  EXPECT_EQ(Output(ShellArgv("cat; pwd; echo $IPCKIT_X"), o), "/\n\n");
  o.env = std::vector<std::string>{"IPCKIT_X=y"};
  EXPECT_EQ(Output(ShellArgv("echo $IPCKIT_X"), o), "y\n");
}

TEST(SpawnTest, ParentDeathSignalReachesTheChild) {
  // A middle process spawns `sleep` with SIGTERM as its parent-death signal
  // and exits at once: sleep must die of SIGTERM, not live its 30 seconds.
  absl::StatusOr<io::Pipe> p = io::MakePipe(O_CLOEXEC);
  ASSERT_THAT(p, IsOk());
  pid_t middle = ::fork();
  if (middle == 0) {
    SpawnOptions o;
    o.parent_death_signal = SIGTERM;
    absl::StatusOr<Child> c = Spawn({"sleep", "30"}, o);
    if (!c.ok()) ::_exit(1);
    std::string pid = std::to_string(c->pid());
    ::_exit(io::WriteAll(p->write.get(), pid).ok() ? 0 : 1);
  }
  p->write.reset();
  int wstatus = 0;
  ASSERT_EQ(::waitpid(middle, &wstatus, 0), middle);
  ASSERT_EQ(ExitStatus::FromWaitStatus(wstatus), ExitStatus::Exited(0));
  absl::StatusOr<std::string> pid_text = io::ReadToEnd(p->read.get());
  ASSERT_THAT(pid_text, IsOk());
  pid_t pid = std::stoi(*pid_text);
  absl::Time deadline = absl::Now() + kTimeout;
  while (::kill(pid, 0) == 0 && absl::Now() < deadline) ::usleep(1000);
  EXPECT_NE(::kill(pid, 0), 0) << "sleep " << pid << " outlived its parent";
}

// SigState returns the child's "SigBlk" and "SigIgn" masks.
std::pair<uint64_t, uint64_t> SigState(const SpawnOptions& o) {
  std::string out = Output({"grep", "-E", "^(SigBlk|SigIgn)", "/proc/self/status"}, o);
  uint64_t blocked = 0, ignored = 0;
  EXPECT_EQ(std::sscanf(out.c_str(), "SigBlk:\t%" SCNx64 "\nSigIgn:\t%" SCNx64, &blocked, &ignored), 2) << out;
  return {blocked, ignored};
}

constexpr uint64_t Bit(int sig) { return uint64_t{1} << (sig - 1); }
// Signals 32 and 33 are glibc's own (thread cancellation, setxid); no
// program can use them, so they are left out.
constexpr uint64_t kGlibcReserved = Bit(32) | Bit(33);

TEST(SpawnTest, ResetsOrKeepsSignalState) {
  sigset_t block, old_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &block, &old_mask), 0);
  struct sigaction ignore = {}, old_int;
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGINT, &ignore, &old_int), 0);

  auto [blocked, ignored] = SigState({});
  EXPECT_EQ(blocked & ~kGlibcReserved, 0u);
  EXPECT_EQ(ignored & ~kGlibcReserved, 0u);

  SpawnOptions keep;
  keep.reset_dispositions = false;
  keep.ignore_signals = {SIGHUP};
  keep.mask = block;
  std::tie(blocked, ignored) = SigState(keep);
  EXPECT_EQ(blocked & ~kGlibcReserved, Bit(SIGUSR1));
  EXPECT_EQ(ignored & ~kGlibcReserved, Bit(SIGINT) | Bit(SIGHUP));

  keep.default_signals = {SIGINT};
  std::tie(blocked, ignored) = SigState(keep);
  EXPECT_EQ(ignored & ~kGlibcReserved, Bit(SIGHUP));

  ::sigaction(SIGINT, &old_int, nullptr);
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
}

}  // namespace
}  // namespace ipckit::process
