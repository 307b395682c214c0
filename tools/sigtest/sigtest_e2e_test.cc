// End-to-end tests of sigtest against oracles: bash's `kill -l`, procps
// `kill -q` (sigqueue), and /proc/PID/status of a Python child.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
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
#include "lib/testing/wait_for_file.h"

namespace ipckit::sigtest {
namespace {

using ::ipckit::testing::ExitStatus;
using ::ipckit::testing::StartWithStdin;
using ::ipckit::testing::IsOk;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::Runfile;
using ::ipckit::testing::StdStream;
using ::ipckit::testing::Subprocess;
using ::ipckit::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

constexpr absl::Duration kTimeout = absl::Seconds(20);

std::string Sigtest() { return *Runfile("tools/sigtest/sigtest"); }

Subprocess Launch(std::vector<std::string> args) {
  absl::StatusOr<Subprocess> p = StartWithStdin(args);
  EXPECT_THAT(p, IsOk());
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
  absl::StatusOr<std::string> pid = ::ipckit::testing::WaitForFirstLine(ready, kTimeout);
  EXPECT_THAT(pid, IsOk());
  return {std::move(*p), pid.value_or("")};
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
  ASSERT_THAT(py->WaitForLine(StdStream::kStdout, "ready", kTimeout), IsOk());
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
  ASSERT_THAT(group->WaitForLine(StdStream::kStdout, "up", kTimeout), IsOk());
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

// Code runs a command to completion and returns its exit code (or 128+signal).
int Code(std::vector<std::string> args, std::string* err = nullptr) {
  Subprocess p = Launch(std::move(args));
  absl::StatusOr<ExitStatus> st = p.Wait(kTimeout);
  EXPECT_THAT(st, IsOk());
  if (err != nullptr) *err = p.err();
  return st.ok() ? (st->signal ? 128 + st->signal : st->code) : -1;
}

TEST(SigtestRunTest, ExitCodesMatchTheShellAndCoreutils) {
  std::string err;
  EXPECT_EQ(Code({Sigtest(), "run", "--", "sh", "-c", "exit 7"}, &err), 7);
  EXPECT_EQ(err, "sigtest: exit=7\n");
  EXPECT_EQ(Code({Sigtest(), "run", "--", "sh", "-c", "kill -SEGV $$"}, &err),
            Code({"bash", "-c", "sh -c 'kill -SEGV $$'; exit $?"}));
  EXPECT_THAT(err, MatchesRegex("sigtest: signal=SEGV core=(true|false)\n"));
  EXPECT_EQ(Code({Sigtest(), "run", "--", "ipckit-no-such-command"}, &err), 127);
  EXPECT_EQ(err, "sigtest run: exec ipckit-no-such-command: No such file or directory\n");
  EXPECT_EQ(Code({Sigtest(), "run", "--remap", "7=0", "--", "sh", "-c", "exit 7"}), 0);
}

TEST(SigtestRunTest, CoreReportMatchesPythonWcoredump) {
  // Python's os.WCOREDUMP on the same kind of death, in the same environment.
  std::string py = Output({"python3", "-c",
                           "import os, subprocess\n"
                           "p = subprocess.Popen(['sh', '-c', 'kill -SEGV $$'])\n"
                           "_, st = os.waitpid(p.pid, 0)\n"
                           "print('core=' + str(os.WCOREDUMP(st)).lower())"});
  std::string err;
  EXPECT_EQ(Code({Sigtest(), "run", "--", "sh", "-c", "kill -SEGV $$"}, &err), 128 + SIGSEGV);
  EXPECT_EQ(err, absl::StrCat("sigtest: signal=SEGV ", py));
}

TEST(SigtestRunTest, TimeoutAndEscalationAsCoreutils) {
  std::string err;
  absl::Time start = absl::Now();
  EXPECT_EQ(Code({Sigtest(), "run", "--timeout=200ms", "--", "sleep", "10"}, &err),
            Code({"timeout", "0.2", "sleep", "10"}));
  EXPECT_EQ(err, "sigtest: timeout=200ms signal=TERM core=false\n");
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(2 * 200));  // Ours, then coreutils'.
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  const char* stubborn = "trap '' TERM; sleep 10";
  EXPECT_EQ(Code({Sigtest(), "run", "--timeout=100ms", "--kill-after=100ms", "--", "sh", "-c", stubborn}, &err),
            Code({"timeout", "-k", "0.1", "0.1", "sh", "-c", stubborn}));
  EXPECT_EQ(err, "sigtest: timeout=100ms signal=KILL core=false\n");
}

// TimeoutCase is one row of the differential table against GNU timeout:
// the same options (in timeout's spelling and ours), duration and command.
struct TimeoutCase {
  std::string name;
  std::vector<std::string> gnu, ours;  // Options before the duration / the command.
  std::string duration;
  std::vector<std::string> command;
};

TEST(SigtestRunTest, AgreesWithGnuTimeout) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  std::string text_file = dir->Path("notes.txt");
  std::ofstream(text_file) << "not a program\n";
  const std::vector<std::string> stubborn = {"sh", "-c", "trap '' TERM; sleep 10"};
  const std::vector<std::string> trap_exits = {"sh", "-c", "trap 'exit 5' TERM; sleep 10 & wait"};
  std::vector<TimeoutCase> cases = {
      {"command's code", {}, {}, "5", {"sh", "-c", "exit 3"}},
      {"0 is no timeout", {}, {}, "0", {"sh", "-c", "sleep 0.2; exit 3"}},
      {"TERM at the timeout", {}, {}, "0.2", {"sleep", "10"}},
      {"KILL at the timeout", {"-s", "KILL"}, {"--signal", "KILL"}, "0.2", {"sleep", "10"}},
      {"--preserve-status", {"--preserve-status"}, {"--preserve-status"}, "0.2", {"sleep", "10"}},
      {"a trap that exits", {}, {}, "0.2", trap_exits},
      {"a trap that exits, preserved", {"--preserve-status"}, {"--preserve-status"}, "0.2", trap_exits},
      {"ignores TERM: KILL after", {"-k", "0.2"}, {"--kill-after", "0.2"}, "0.2", stubborn},
      {"ignores TERM, preserved", {"--preserve-status", "-k", "0.2"}, {"--preserve-status", "--kill-after", "0.2"},
       "0.2", stubborn},
      {"--foreground", {"--foreground"}, {"--foreground"}, "0.2", {"sh", "-c", "sleep 10"}},
      {"not found", {}, {}, "5", {"ipckit-no-such-command"}},
      {"not executable", {}, {}, "5", {text_file}},
  };
  for (const char* sig : {"HUP", "INT", "QUIT", "ABRT", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "SYS"}) {
    cases.push_back({absl::StrCat("killed by its own ", sig), {}, {}, "5",
                     {"sh", "-c", absl::StrCat("ulimit -c 0; kill -", sig, " $$")}});
  }
  for (const TimeoutCase& c : cases) {
    std::vector<std::string> gnu = {"timeout"};
    gnu.insert(gnu.end(), c.gnu.begin(), c.gnu.end());
    gnu.push_back(c.duration);
    gnu.insert(gnu.end(), c.command.begin(), c.command.end());
    std::vector<std::string> ours = {Sigtest(), "run"};
    ours.insert(ours.end(), c.ours.begin(), c.ours.end());
    ours.push_back("--timeout=" + c.duration);
    ours.push_back("--");
    ours.insert(ours.end(), c.command.begin(), c.command.end());
    EXPECT_EQ(Code(ours), Code(gnu)) << c.name;
  }
}

TEST(SigtestRunTest, CommandGetsTheTerminal) {
  // Under script(1) there is a terminal: the command reads it, and the
  // shell has it back afterwards. GNU timeout's command cannot (SIGTTIN)
  // unless --foreground.
  const std::string cmd = absl::StrCat(Sigtest(), " run -- sh -c 'read x; echo got $x'; read y; echo shell got $y");
  absl::StatusOr<Subprocess> p = Subprocess::Start({"script", "-qec", cmd, "/dev/null"});
  ASSERT_THAT(p, IsOk());
  p->Write("one\n");
  ASSERT_THAT(p->WaitForLine(StdStream::kStdout, "got one", kTimeout), IsOk());
  p->Write("two\n");
  ASSERT_THAT(p->WaitForLine(StdStream::kStdout, "shell got two", kTimeout), IsOk());
  p->CloseStdin();
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));

  // tini gives its child the terminal too, but keeps it from the shell after
  // it: the shell's read fails (EIO). sigtest takes it back.
  absl::StatusOr<Subprocess> tini = Subprocess::Start(
      {"script", "-qec", "tini -s -- sh -c 'read x; echo got $x'; read y || echo shell read failed", "/dev/null"});
  ASSERT_THAT(tini, IsOk());
  tini->Write("one\n");
  ASSERT_THAT(tini->WaitForLine(StdStream::kStdout, "got one", kTimeout), IsOk());
  tini->Write("two\n");
  ASSERT_THAT(tini->WaitForLine(StdStream::kStdout, "shell read failed", kTimeout), IsOk());
  tini->CloseStdin();
  EXPECT_THAT(tini->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
}

TEST(SigtestRunTest, RewritesForwardedSignalsAsDumbInit) {
  // The same child under sigtest --rewrite TERM=USR1 and dumb-init -r 15:10:
  // TERM to the supervisor reaches the child as USR1, and both exit 0.
  const std::string child =
      "trap 'echo got USR1; exit 0' USR1; trap 'echo got TERM; exit 1' TERM; echo up; while :; do sleep 0.05; done";
  for (std::vector<std::string> argv : {std::vector<std::string>{Sigtest(), "run", "--rewrite", "TERM=USR1", "--"},
                                        {"dumb-init", "-r", "15:10", "--"}}) {
    argv.insert(argv.end(), {"sh", "-c", child});
    absl::StatusOr<Subprocess> p = Subprocess::Start(argv);
    ASSERT_THAT(p, IsOk());
    ASSERT_THAT(p->WaitForLine(StdStream::kStdout, "up", kTimeout), IsOk()) << argv[0];
    ASSERT_THAT(p->Signal(SIGTERM), IsOk());
    EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0))) << argv[0];
    EXPECT_THAT(p->out(), HasSubstr("got USR1")) << argv[0];
  }
}

TEST(SigtestRunTest, ParentDeathSignal) {
  absl::StatusOr<Subprocess> p =
      Subprocess::Start({Sigtest(), "run", "--pdeathsig", "TERM", "--", "sh", "-c", "echo $$; exec sleep 30"});
  ASSERT_THAT(p, IsOk());
  absl::StatusOr<std::string> line = p->WaitForLineWhere(
      StdStream::kStdout, [](absl::string_view l) { return !l.empty(); }, "a PID", kTimeout);
  ASSERT_THAT(line, IsOk());
  pid_t child = std::stoi(*line);
  ASSERT_THAT(p->Signal(SIGKILL), IsOk());  // sigtest dies without forwarding anything.
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Signaled(SIGKILL)));
  absl::Time deadline = absl::Now() + kTimeout;
  while (::kill(child, 0) == 0 && absl::Now() < deadline) ::usleep(1000);
  EXPECT_NE(::kill(child, 0), 0) << "child " << child << " outlived sigtest";
}

TEST(SigtestE2eTest, SendZeroAndSeveralTargetsAsKill) {
  std::string self = absl::StrCat(::getpid());
  for (std::vector<std::string> targets : {std::vector<std::string>{self}, {"999999999"}, {self, "999999999", self}}) {
    std::vector<std::string> ours = {Sigtest(), "send", "-s", "0", "--"};
    ours.insert(ours.end(), targets.begin(), targets.end());
    std::vector<std::string> kill = {"/bin/kill", "-0", "--"};
    kill.insert(kill.end(), targets.begin(), targets.end());
    std::string err;
    EXPECT_EQ(Code(ours, &err), Code(kill)) << absl::StrJoin(targets, " ");
    EXPECT_EQ(err, absl::StrContains(absl::StrJoin(targets, " "), "999999999")
                       ? "sigtest send: kill 999999999: No such process\n"
                       : "");
  }
}

TEST(SigtestRunTest, ForwardsToTheGroupAndReapsGrandchildren) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  absl::StatusOr<Subprocess> p = Subprocess::Start(
      {Sigtest(), "run", "--", "sh", "-c", "sleep 1000 & echo $! > grandchild; echo up; wait"},
      Subprocess::Options{{}, dir->path()});
  ASSERT_THAT(p, IsOk());
  ASSERT_THAT(p->WaitForLine(StdStream::kStdout, "up", kTimeout), IsOk());
  ASSERT_THAT(p->Signal(SIGTERM), IsOk());
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(128 + SIGTERM)));
  EXPECT_EQ(p->err(), "sigtest: signal=TERM core=false\n");
  std::ifstream f(dir->Path("grandchild"));
  pid_t grandchild = 0;
  f >> grandchild;
  ASSERT_GT(grandchild, 0);
  EXPECT_NE(::kill(grandchild, 0), 0) << "grandchild still exists";
}

TEST(SigtestRunTest, ReportsAndKillsOrphans) {
  std::string err;
  EXPECT_EQ(Code({Sigtest(), "run", "--kill-orphans", "--", "sh", "-c", "setsid sleep 1000 & sleep 0.1; exit 3"}, &err), 3);
  EXPECT_THAT(err, MatchesRegex("sigtest: killed orphans: [0-9]+ \\((sh|sleep)\\)\nsigtest: exit=3\n"));
}

TEST(SigtestRunTest, ChildStartsWithRequestedMaskAndDispositions) {
  const std::string script =
      "print(''.join(l for l in open('/proc/self/status') if l.startswith(('SigBlk', 'SigIgn'))), end='')";
  Subprocess p = Launch({Sigtest(), "run", "--block", "USR1,RTMIN+1", "--ignore", "USR2", "--",
                         "python3", "-c", script});
  EXPECT_THAT(p.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  std::string out = p.out();
  uint64_t blocked = 0, ignored = 0;
  ASSERT_EQ(std::sscanf(out.c_str(), "SigBlk:\t%lx\nSigIgn:\t%lx", &blocked, &ignored), 2) << out;
  constexpr uint64_t kUsr1 = uint64_t{1} << (SIGUSR1 - 1), kUsr2 = uint64_t{1} << (SIGUSR2 - 1);
  const uint64_t kRt1 = uint64_t{1} << (SIGRTMIN + 1 - 1);
  EXPECT_EQ(blocked & (kUsr1 | kRt1), kUsr1 | kRt1);
  EXPECT_NE(ignored & kUsr2, 0u);
  EXPECT_EQ(ignored & kUsr1, 0u);
}

TEST(SigtestRunTest, WorksAsPid1InAPidNamespace) {
  std::string err;
  int code = Code({"unshare", "--pid", "--fork", "--mount-proc", Sigtest(), "run", "--", "sh", "-c",
                   "echo pid=$$ >&2; sleep 1000 & exit 5"},
                  &err);
  if (code != 5 && err.find("unshare") != std::string::npos) GTEST_SKIP() << "no PID namespaces here: " << err;
  EXPECT_EQ(code, 5);
  EXPECT_THAT(err, MatchesRegex("pid=2\nsigtest: orphans still running: [0-9]+ \\((sh|sleep)\\)\nsigtest: exit=5\n"));
}

TEST(SigtestDemoTest, CoalesceShowsTheNumbers) {
  EXPECT_EQ(Output({Sigtest(), "coalesce", "--count", "7"}),
            "USR1: sent 7, delivered 1 (coalesced)\nRTMIN: sent 7, delivered 7 (queued)\n");
  EXPECT_EQ(Output({Sigtest(), "coalesce", "--json"}), "{\"sent\":5,\"USR1\":1,\"RTMIN\":5}\n");
}

TEST(SigtestDemoTest, AlarmTicks) {
  absl::Time start = absl::Now();
  std::string out = Output({Sigtest(), "alarm", "--interval", "20ms", "--count", "3"});
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(60));
  // A loaded machine may deliver a tick late: it then shows as an overrun
  // and the tick numbers skip, which is what the demo is for.
  EXPECT_THAT(out, MatchesRegex("tick 1 \\+0\\.[0-9]+s jitter=[-+][0-9]+us overrun=[0-9]+\n"
                                "(tick [0-9]+ \\+[0-9.]+s jitter=[-+][0-9]+us overrun=[0-9]+\n){2}"
                                "jitter p50 [-+][0-9]+us p99 [-+][0-9]+us max [-+][0-9]+us, overruns [0-9]+\n"));
}

TEST(SigtestDemoTest, LatencyReportsPercentiles) {
  EXPECT_THAT(Output({Sigtest(), "latency", "-n", "300"}),
              MatchesRegex("round trips: 300, p50 [0-9.]+us p99 [0-9.]+us max [0-9.]+us\n"));
}

TEST(SigtestRunTest, TimeoutSignalIsConfigurable) {
  std::string err;
  EXPECT_EQ(Code({Sigtest(), "run", "--timeout=100ms", "--signal=INT", "--", "sleep", "10"}, &err), 124);
  EXPECT_EQ(err, "sigtest: timeout=100ms signal=INT core=false\n");
}

TEST(SigtestRunTest, ForwardToChildOnlyLeavesTheGroup) {
  absl::StatusOr<Subprocess> p = Subprocess::Start(
      {Sigtest(), "run", "--forward=child", "--kill-orphans", "--", "sh", "-c", "sleep 1000 & echo up; wait"});
  ASSERT_THAT(p, IsOk());
  ASSERT_THAT(p->WaitForLine(StdStream::kStdout, "up", kTimeout), IsOk());
  ASSERT_THAT(p->Signal(SIGTERM), IsOk());
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(128 + SIGTERM)));
  // Only sh got TERM: its sleep was still running, and --kill-orphans killed it.
  EXPECT_THAT(p->err(), MatchesRegex("sigtest: killed orphans: [0-9]+ \\(sleep\\)\nsigtest: signal=TERM core=false\n"));
}

TEST(SigtestRunTest, DefaultRestoresAnInheritedIgnore) {
  const std::string show = "print([l for l in open('/proc/self/status') if l.startswith('SigIgn')][0], end='')";
  auto ignored_int = [&](const std::string& flags) {
    std::string out = Output({"sh", "-c", absl::StrCat("trap '' INT; exec ", Sigtest(), " run ", flags,
                                                       " -- python3 -c \"", show, "\"")});
    uint64_t mask = 0;
    EXPECT_EQ(std::sscanf(out.c_str(), "SigIgn:\t%lx", &mask), 1) << out;
    return (mask & (uint64_t{1} << (SIGINT - 1))) != 0;
  };
  EXPECT_TRUE(ignored_int(""));
  EXPECT_FALSE(ignored_int("--default INT"));
}

TEST(SigtestRunTest, UsageErrors) {
  std::string err;
  EXPECT_EQ(Code({Sigtest(), "run"}, &err), 2);
  EXPECT_EQ(err, "sigtest run: missing command (sigtest run [OPTIONS] -- CMD...)\nTry 'sigtest run --help'.\n");
  EXPECT_EQ(Code({Sigtest(), "run", "--remap", "x", "--", "true"}, &err), 2);
  EXPECT_EQ(err, "sigtest run: --remap: expected FROM=TO, got 'x'\nTry 'sigtest run --help'.\n");
}

}  // namespace
}  // namespace ipckit::sigtest
