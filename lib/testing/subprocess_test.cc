#include "lib/testing/subprocess.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <inttypes.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/io/fd.h"
#include "lib/io/unique_fd.h"
#include "lib/testing/runfiles.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::testing {
namespace {

using ::absl::StatusCode;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr absl::Duration kTimeout = absl::Seconds(10);

TEST(SubprocessTest, EchoesStdinThroughCat) {
  absl::StatusOr<Subprocess> p = Subprocess::Start({"cat"});
  ASSERT_THAT(p, IsOk());
  p->Write("hello\n");
  p->CloseStdin();
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(p->out(), "hello\n");
  EXPECT_EQ(p->err(), "");
}

TEST(SubprocessTest, LargeInputAndOutputDoNotDeadlock) {
  std::string data(8 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i % 251);
  absl::StatusOr<Subprocess> p = Subprocess::Start({"cat"});
  ASSERT_THAT(p, IsOk());
  p->Write(data);
  p->CloseStdin();
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_TRUE(p->out() == data);
}

TEST(SubprocessTest, ReportsExitCode) {
  absl::StatusOr<Subprocess> p = Subprocess::Start({"sh", "-c", "exit 7"});
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(7)));
}

TEST(SubprocessTest, ReportsTerminatingSignal) {
  absl::StatusOr<Subprocess> p = Subprocess::Start({"sh", "-c", "kill -TERM $$"});
  ASSERT_THAT(p, IsOk());
  absl::StatusOr<ExitStatus> s = p->Wait(kTimeout);
  EXPECT_THAT(s, IsOkAndHolds(ExitStatus::Signaled(SIGTERM)));
  EXPECT_EQ(s->ToString(), "signal=TERM");
  EXPECT_EQ(ExitStatus::Exited(3).ToString(), "exit=3");
}

TEST(SubprocessTest, CapturesStderrSeparately) {
  absl::StatusOr<Subprocess> p = Subprocess::Start({"sh", "-c", "echo out; echo oops >&2"});
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(p->out(), "out\n");
  EXPECT_EQ(p->err(), "oops\n");
}

TEST(SubprocessTest, MissingProgramIsNotFound) {
  EXPECT_THAT(Subprocess::Start({"ipckit-no-such-tool"}),
              StatusIs(StatusCode::kNotFound, "exec ipckit-no-such-tool: No such file or directory"));
  EXPECT_THAT(Subprocess::Start({}), StatusIs(StatusCode::kInvalidArgument, "exec: empty command"));
}

TEST(SubprocessTest, PassesEnvironmentAndWorkingDirectory) {
  Subprocess::Options options;
  options.env = {"IPCKIT_TEST_VAR=bar", "HOME=/nonexistent-home"};
  options.cwd = "/";
  absl::StatusOr<Subprocess> p =
      Subprocess::Start({"sh", "-c", "echo $IPCKIT_TEST_VAR $HOME; pwd"}, options);
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(p->out(), "bar /nonexistent-home\n/\n");
}

TEST(SubprocessTest, ChildStartsWithDefaultSignalState) {
  // The test process blocks and ignores signals; the child must not inherit that.
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigset_t old_mask;
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &block, &old_mask), 0);
  struct sigaction ignore = {}, old_int;
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGINT, &ignore, &old_int), 0);

  absl::StatusOr<Subprocess> p =
      Subprocess::Start({"grep", "-E", "^(SigBlk|SigIgn)", "/proc/self/status"});
  ::sigaction(SIGINT, &old_int, nullptr);
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  // Signal n is bit n-1. Signals 32 and 33 are glibc's own (thread
  // cancellation, setxid); no one can reset them and no program can
  // use them, so they are left out.
  constexpr uint64_t kGlibcReserved = (uint64_t{1} << 31) | (uint64_t{1} << 32);
  uint64_t blocked = 0, ignored = 0;
  ASSERT_EQ(std::sscanf(p->out().c_str(), "SigBlk:\t%" SCNx64 "\nSigIgn:\t%" SCNx64, &blocked, &ignored), 2)
      << p->out();
  EXPECT_EQ(blocked & ~kGlibcReserved, 0u) << p->out();
  EXPECT_EQ(ignored & ~kGlibcReserved, 0u) << p->out();
}

TEST(SubprocessTest, StartWithStdinFeedsThenCloses) {
  absl::StatusOr<Subprocess> p = StartWithStdin({"cat"}, "to cat\n");
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(p->out(), "to cat\n");
}

TEST(SubprocessTest, StartServerReadsEachListeningLine) {
  absl::StatusOr<Server> s = StartServer(
      {"sh", "-c", "echo booting; echo listening on 127.0.0.1:7; echo Listening on ::1 8; sleep 30"}, 2, kTimeout);
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->addresses, (std::vector<std::string>{"127.0.0.1:7", "[::1]:8"}));
  EXPECT_THAT(StartServer({"sh", "-c", "echo no"}, 1, kTimeout),
              StatusIs(absl::StatusCode::kNotFound, ::testing::StartsWith("stdout ended without a line")));
}

TEST(SubprocessTest, WaitForLineSkipsEarlierLines) {
  absl::StatusOr<Subprocess> p =
      Subprocess::Start({"sh", "-c", "echo a; echo b ready; echo c; echo d ready"});
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->WaitForLine(StdStream::kStdout, "ready", kTimeout), IsOkAndHolds("b ready"));
  EXPECT_THAT(p->WaitForLine(StdStream::kStdout, "ready", kTimeout), IsOkAndHolds("d ready"));
}

TEST(SubprocessTest, WaitForLineOnStderr) {
  absl::StatusOr<Subprocess> p = Subprocess::Start({"sh", "-c", "echo ready >&2"});
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->WaitForLine(StdStream::kStderr, "ready", kTimeout), IsOkAndHolds("ready"));
}

TEST(SubprocessTest, WaitForLineAcceptsLastLineWithoutNewline) {
  absl::StatusOr<Subprocess> p = Subprocess::Start({"printf", "x\nready"});
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->WaitForLine(StdStream::kStdout, "ready", kTimeout), IsOkAndHolds("ready"));
}

TEST(SubprocessTest, WaitForLineTimesOut) {
  absl::StatusOr<Subprocess> p = Subprocess::Start({"cat"});  // Waits for stdin forever.
  ASSERT_THAT(p, IsOk());
  absl::Time start = absl::Now();
  EXPECT_THAT(p->WaitForLine(StdStream::kStdout, "ready", absl::Milliseconds(200)),
              StatusIs(StatusCode::kDeadlineExceeded,
                       StartsWith("no line containing 'ready' on stdout within 200ms; pid ")));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(200));
}

TEST(SubprocessTest, WaitForLineReportsEndOfStream) {
  absl::StatusOr<Subprocess> p = Subprocess::Start({"sh", "-c", "echo nope; echo why >&2"});
  ASSERT_THAT(p, IsOk());
  absl::StatusOr<std::string> line = p->WaitForLine(StdStream::kStdout, "ready", kTimeout);
  EXPECT_THAT(line, StatusIs(StatusCode::kNotFound,
                             StartsWith("stdout ended without a line containing 'ready'; pid ")));
  EXPECT_THAT(line.status().message(), HasSubstr("--- stdout ---\nnope\n"));
}

TEST(SubprocessTest, WaitTimesOutWhileChildRuns) {
  absl::StatusOr<Subprocess> p = Subprocess::Start({"cat"});
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->Wait(absl::Milliseconds(100)),
              StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("child still running")));
  p->CloseStdin();
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
}

TEST(SubprocessTest, StopSendsTerm) {
  absl::StatusOr<Subprocess> p = Subprocess::Start({"cat"});
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->Stop(kTimeout), IsOkAndHolds(ExitStatus::Signaled(SIGTERM)));
  EXPECT_THAT(p->Signal(SIGTERM), StatusIs(StatusCode::kFailedPrecondition));
}

TEST(SubprocessTest, StopEscalatesToKill) {
  absl::StatusOr<Subprocess> p =
      Subprocess::Start({"sh", "-c", "trap '' TERM; echo ready; exec cat"});
  ASSERT_THAT(p, IsOk());
  ASSERT_THAT(p->WaitForLine(StdStream::kStdout, "ready", kTimeout), IsOk());
  EXPECT_THAT(p->Stop(absl::Milliseconds(200)), IsOkAndHolds(ExitStatus::Signaled(SIGKILL)));
}

TEST(SubprocessTest, SignalReachesChild) {
  absl::StatusOr<Subprocess> p = Subprocess::Start({"cat"});
  ASSERT_THAT(p, IsOk());
  ASSERT_THAT(p->Signal(SIGINT), IsOk());
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Signaled(SIGINT)));
}

// ProcessState returns the state letter of `pid` from /proc, or 0 if gone.
char ProcessState(pid_t pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!std::getline(stat, line)) return 0;
  size_t paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() ? 0 : line[paren + 2];
}

// A background job of a non-interactive shell reads /dev/null, so the
// grandchild is `tail -f /dev/null`, which runs until killed.
TEST(SubprocessTest, DestructorKillsWholeProcessGroup) {
  pid_t grandchild = 0;
  {
    absl::StatusOr<Subprocess> p =
        Subprocess::Start({"sh", "-c", "tail -f /dev/null & echo pid $!; wait"});
    ASSERT_THAT(p, IsOk());
    absl::StatusOr<std::string> line = p->WaitForLine(StdStream::kStdout, "pid ", kTimeout);
    ASSERT_THAT(line, IsOk());
    ASSERT_TRUE(absl::SimpleAtoi(line->substr(4), &grandchild)) << *line;
    ASSERT_NE(ProcessState(grandchild), 0);
  }
  // The grandchild is killed; it may linger as a zombie until its new parent reaps it.
  absl::Time deadline = absl::Now() + kTimeout;
  char state = ProcessState(grandchild);
  while (state != 0 && state != 'Z' && absl::Now() < deadline) state = ProcessState(grandchild);
  EXPECT_TRUE(state == 0 || state == 'Z') << "state " << state;
}

TEST(SubprocessTest, WaitForListeningAndTalkToServer) {
  absl::StatusOr<std::string> fixture = Runfile("lib/testing/tcp_echo_fixture");
  ASSERT_THAT(fixture, IsOk());
  absl::StatusOr<Subprocess> server = Subprocess::Start({*fixture});
  ASSERT_THAT(server, IsOk());
  absl::StatusOr<std::string> addr = server->WaitForListening(StdStream::kStdout, kTimeout);
  ASSERT_THAT(addr, IsOk());
  ASSERT_THAT(*addr, StartsWith("127.0.0.1:"));
  int port = 0;
  ASSERT_TRUE(absl::SimpleAtoi(addr->substr(10), &port)) << *addr;
  ASSERT_GT(port, 0);

  io::UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(s);
  struct sockaddr_in sin = {};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(static_cast<uint16_t>(port));
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(s.get(), reinterpret_cast<sockaddr*>(&sin), sizeof(sin)), 0);
  ASSERT_THAT(io::WriteAll(s.get(), "ping"), IsOk());
  ASSERT_EQ(::shutdown(s.get(), SHUT_WR), 0);
  EXPECT_THAT(io::ReadToEnd(s.get()), IsOkAndHolds("ping"));
  EXPECT_THAT(server->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(server->err(), "done 4 bytes\n");
}

}  // namespace
}  // namespace ipckit::testing
