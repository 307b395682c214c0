// End-to-end tests of sigtest against oracles: bash's `kill -l`, procps
// `kill -q` (sigqueue), and /proc/PID/status of a Python child.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/runfiles.h"
#include "lib/testing/status_matchers.h"
#include "lib/testing/subprocess.h"
#include "lib/testing/temp_dir.h"

namespace ipckit::sigtest {
namespace {

using ::ipckit::testing::ExitStatus;
using ::ipckit::testing::IsOk;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::Runfile;
using ::ipckit::testing::Stream;
using ::ipckit::testing::Subprocess;
using ::ipckit::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

constexpr absl::Duration kTimeout = absl::Seconds(20);

std::string Sigtest() { return *Runfile("tools/sigtest/sigtest"); }

Subprocess Launch(std::vector<std::string> args) {
  absl::StatusOr<Subprocess> p = Subprocess::Start(args);
  EXPECT_THAT(p, IsOk());
  p->CloseStdin();
  return std::move(*p);
}

std::string Output(std::vector<std::string> args) {
  Subprocess p = Launch(std::move(args));
  EXPECT_THAT(p.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0))) << p.err();
  return p.out();
}

TEST(SigtestE2eTest, ListNamesMatchBash) {
  std::vector<std::string> numbers;
  for (int i = 1; i <= 64; ++i) {
    if (i != 32 && i != 33) numbers.push_back(absl::StrCat(i));
  }
  std::string bash = Output({"bash", "-c", absl::StrCat("for i in ", absl::StrJoin(numbers, " "),
                                                        "; do kill -l $i; done")});
  std::vector<std::string> args = {Sigtest(), "list"};
  args.insert(args.end(), numbers.begin(), numbers.end());
  EXPECT_EQ(Output(args), bash);
}

TEST(SigtestE2eTest, ListNamesToNumbersAndTable) {
  EXPECT_EQ(Output({Sigtest(), "list", "TERM", "SIGRTMIN+2", "rtmax"}), "15\n36\n64\n");
  std::string table = Output({Sigtest(), "list"});
  EXPECT_THAT(table, HasSubstr("11 SEGV      core\n"));
  EXPECT_THAT(table, HasSubstr("17 CHLD      ignore\n"));
  EXPECT_THAT(table, HasSubstr("64 RTMAX     term\n"));
  EXPECT_THAT(Output({Sigtest(), "list", "--json", "34"}), "{\"number\":34,\"name\":\"RTMIN\"}\n");
}

// StartLog starts `sigtest log` and waits for its ready file; it returns the
// process and its PID as text.
std::pair<Subprocess, std::string> StartLog(const TempDir& dir, std::vector<std::string> flags) {
  std::string ready = dir.Path("ready");
  std::vector<std::string> args = {Sigtest(), "log", "--ready-file", ready};
  args.insert(args.end(), flags.begin(), flags.end());
  absl::StatusOr<Subprocess> p = Subprocess::Start(args);
  EXPECT_THAT(p, IsOk());
  std::string pid;
  absl::Time deadline = absl::Now() + kTimeout;
  while (pid.empty() && absl::Now() < deadline) {
    std::ifstream f(ready);
    std::getline(f, pid);
    if (pid.empty()) absl::SleepFor(absl::Milliseconds(5));  // Polling a file, with a deadline.
  }
  EXPECT_FALSE(pid.empty());
  return {std::move(*p), pid};
}

TEST(SigtestE2eTest, LogShowsQueuedRealTimeSignalsWithPayloadsInOrder) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  auto [log, pid] = StartLog(*dir, {"--catch", "RTMIN+1,USR1", "--count", "6"});
  for (int v = 1; v <= 4; ++v) {
    EXPECT_EQ(Output({Sigtest(), "send", "-s", "RTMIN+1", "--value", absl::StrCat(v * 10), pid}), "");
  }
  // procps kill as the oracle sender: sigqueue with a value.
  EXPECT_EQ(Output({"env", "kill", "-q", "50", "-s", "RTMIN+1", pid}), "");
  EXPECT_EQ(Output({Sigtest(), "send", "-s", "USR1", pid}), "");
  EXPECT_THAT(log.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  std::vector<std::string> lines = absl::StrSplit(log.out(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 6u) << log.out();
  for (int i = 0; i < 5; ++i) {
    EXPECT_THAT(lines[i], MatchesRegex(absl::StrCat("[0-9.]+ [0-9.]+ RTMIN\\+1 code=SI_QUEUE pid=[0-9]+ uid=[0-9]+ value=",
                                                    (i + 1) * 10)));
  }
  EXPECT_THAT(lines[5], MatchesRegex("[0-9.]+ [0-9.]+ USR1 code=SI_USER pid=[0-9]+ uid=[0-9]+ value=0"));
}

TEST(SigtestE2eTest, LogJson) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  auto [log, pid] = StartLog(*dir, {"--all", "--count", "1", "--json"});
  EXPECT_EQ(Output({"env", "kill", "-s", "HUP", pid}), "");
  EXPECT_THAT(log.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_THAT(log.out(), MatchesRegex("\\{\"mono\":[0-9.]+,\"wall\":[0-9.]+,\"signal\":\"HUP\",\"number\":1,"
                                      "\"code\":\"SI_USER\",\"pid\":[0-9]+,\"uid\":[0-9]+,\"value\":0\\}\n"));
}

TEST(SigtestE2eTest, MaskOfAPythonChild) {
  const std::string script = R"(
import signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGRTMIN + 2})
signal.signal(signal.SIGUSR2, signal.SIG_IGN)
signal.signal(signal.SIGHUP, lambda *a: None)
print("ready", flush=True)
sys.stdin.read()
)";
  absl::StatusOr<Subprocess> py = Subprocess::Start({"python3", "-c", script});
  ASSERT_THAT(py, IsOk());
  ASSERT_THAT(py->WaitForLine(Stream::kStdout, "ready", kTimeout), IsOk());
  std::string pid = absl::StrCat(py->pid());
  ASSERT_EQ(::kill(py->pid(), SIGUSR1), 0);  // Blocked: stays pending.
  std::string out = Output({Sigtest(), "mask", pid});
  EXPECT_THAT(out, HasSubstr("blocked:        USR1,RTMIN+2\n"));
  EXPECT_THAT(out, MatchesRegex("(.|\n)*ignored:        [A-Z0-9,]*USR2(.|\n)*"));
  EXPECT_THAT(out, MatchesRegex("(.|\n)*caught:         HUP,INT(.|\n)*"));
  EXPECT_THAT(out, HasSubstr("shared pending: USR1\n"));
  EXPECT_THAT(Output({Sigtest(), "mask", "--json", pid}),
              HasSubstr("\"blocked\":\"USR1,RTMIN+2\""));
}

TEST(SigtestE2eTest, SendToProcessGroup) {
  absl::StatusOr<Subprocess> group = Subprocess::Start({"sh", "-c", "sleep 1000 & sleep 1000 & echo up; wait"});
  ASSERT_THAT(group, IsOk());
  ASSERT_THAT(group->WaitForLine(Stream::kStdout, "up", kTimeout), IsOk());
  EXPECT_EQ(Output({Sigtest(), "send", "-s", "KILL", "--", absl::StrCat("-", group->pid())}), "");
  EXPECT_THAT(group->Wait(kTimeout), IsOkAndHolds(ExitStatus::Signaled(SIGKILL)));
}

TEST(SigtestE2eTest, Errors) {
  Subprocess missing = Launch({Sigtest(), "send", "999999999"});
  EXPECT_THAT(missing.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(1)));
  EXPECT_EQ(missing.err(), "sigtest send: kill 999999999: No such process\n");
  Subprocess bad = Launch({Sigtest(), "send", "-s", "FOO", "1"});
  EXPECT_THAT(bad.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(2)));
  EXPECT_EQ(bad.err(), "sigtest send: unknown signal 'FOO'\nTry 'sigtest send --help'.\n");
  Subprocess kill = Launch({Sigtest(), "log", "--catch", "KILL"});
  EXPECT_THAT(kill.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(2)));
  EXPECT_EQ(kill.err(), "sigtest log: KILL cannot be caught\nTry 'sigtest log --help'.\n");
  Subprocess none = Launch({Sigtest()});
  EXPECT_THAT(none.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(2)));
  EXPECT_EQ(none.err(), "sigtest: missing command\nTry 'sigtest --help'.\n");
  Subprocess nomask = Launch({Sigtest(), "mask", "999999999"});
  EXPECT_THAT(nomask.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(1)));
  EXPECT_EQ(nomask.err(), "sigtest mask: no process 999999999\n");
}

}  // namespace
}  // namespace ipckit::sigtest
