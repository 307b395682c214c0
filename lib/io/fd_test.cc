#include "lib/io/fd.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"
#include "lib/testing/temp_dir.h"

namespace ipckit::io {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::StatusIs;

struct SocketPair {
  UniqueFd a, b;
};

SocketPair MakeSocketPair(int extra_flags = 0) {
  int fds[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | extra_flags, 0, fds), 0);
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void SetSmallBuffers(int fd) {
  int size = 4096;
  ASSERT_EQ(::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)), 0);
  ASSERT_EQ(::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)), 0);
}

// Pattern returns `n` bytes that differ from any shifted copy of themselves
// nearby, so a lost or repeated chunk is caught.
std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 7919 + i / 251) & 0xff);
  return s;
}

// SlowReader reads everything from `fd` in small pieces until EOF.
std::string SlowReader(int fd) {
  std::string got;
  char buf[1000];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

TEST(FdTest, WriteAllAndReadFullRoundTrip) {
  absl::StatusOr<Pipe> p = MakePipe();
  ASSERT_THAT(p, IsOk());
  ASSERT_THAT(WriteAll(p->write.get(), "hello"), IsOk());
  char buf[5];
  absl::StatusOr<size_t> n = ReadFull(p->read.get(), absl::MakeSpan(buf));
  ASSERT_THAT(n, IsOk());
  EXPECT_EQ(*n, 5u);
  EXPECT_EQ(std::string(buf, 5), "hello");
}

TEST(FdTest, ReadFullStopsAtEndOfFile) {
  absl::StatusOr<Pipe> p = MakePipe();
  ASSERT_THAT(p, IsOk());
  ASSERT_THAT(WriteAll(p->write.get(), "abc"), IsOk());
  p->write.reset();
  char buf[10];
  absl::StatusOr<size_t> n = ReadFull(p->read.get(), absl::MakeSpan(buf));
  ASSERT_THAT(n, IsOk());
  EXPECT_EQ(*n, 3u);
  EXPECT_EQ(std::string(buf, 3), "abc");
}

TEST(FdTest, ReadFullCollectsManyShortReads) {
  SocketPair sp = MakeSocketPair();
  const std::string data = Pattern(100000);
  std::thread writer([&] {
    // Many small writes: the reader sees them as many short reads.
    for (size_t i = 0; i < data.size(); i += 777) {
      ASSERT_THAT(WriteAll(sp.a.get(), absl::string_view(data).substr(i, 777)), IsOk());
    }
    sp.a.reset();
  });
  std::string buf(data.size() + 10, '\0');
  absl::StatusOr<size_t> n = ReadFull(sp.b.get(), absl::MakeSpan(buf));
  writer.join();
  ASSERT_THAT(n, IsOk());
  ASSERT_EQ(*n, data.size());
  EXPECT_TRUE(buf.compare(0, data.size(), data) == 0);
}

// A blocking write on a socket with small buffers is interrupted by signals
// (installed without SA_RESTART) over and over: write(2) then returns short
// counts or fails with EINTR. WriteAll must deliver every byte in order.
TEST(FdTest, WriteAllSurvivesSignalsAndPartialWrites) {
  struct sigaction sa = {};
  sa.sa_handler = [](int) {};
  sa.sa_flags = 0;  // No SA_RESTART: interrupted writes return early.
  struct sigaction old;
  ASSERT_EQ(::sigaction(SIGUSR1, &sa, &old), 0);

  SocketPair sp = MakeSocketPair();
  SetSmallBuffers(sp.a.get());
  SetSmallBuffers(sp.b.get());
  const std::string data = Pattern(4 << 20);

  std::string got;
  std::thread reader([&] { got = SlowReader(sp.b.get()); });

  std::atomic<bool> done{false};
  pthread_t writer_thread = ::pthread_self();
  std::thread interrupter([&] {
    while (!done.load()) {
      ::pthread_kill(writer_thread, SIGUSR1);
      std::this_thread::yield();
    }
  });

  absl::Status s = WriteAll(sp.a.get(), data);
  done = true;
  interrupter.join();
  sp.a.reset();
  reader.join();
  ASSERT_EQ(::sigaction(SIGUSR1, &old, nullptr), 0);

  EXPECT_THAT(s, IsOk());
  ASSERT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data);
}

// On a non-blocking socket, write(2) accepts only what fits and then fails
// with EAGAIN; WriteAll must wait for room instead of failing or spinning.
TEST(FdTest, WriteAllWaitsOnNonBlockingDescriptor) {
  SocketPair sp = MakeSocketPair(SOCK_NONBLOCK);
  SetSmallBuffers(sp.a.get());
  const std::string data = Pattern(1 << 20);

  // Show that this descriptor really does produce short writes.
  absl::StatusOr<size_t> once = WriteOnce(sp.a.get(), data);
  ASSERT_THAT(once, IsOk());
  ASSERT_LT(*once, data.size());
  EXPECT_THAT(WriteOnce(sp.a.get(), absl::string_view(data).substr(*once)),
              StatusIs(absl::StatusCode::kUnavailable,
                       "write: Resource temporarily unavailable"));

  ASSERT_THAT(SetNonBlocking(sp.b.get(), false), IsOk());
  std::string got;
  std::thread reader([&] { got = SlowReader(sp.b.get()); });
  absl::Status s = WriteAll(sp.a.get(), absl::string_view(data).substr(*once));
  sp.a.reset();
  reader.join();
  EXPECT_THAT(s, IsOk());
  ASSERT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data);
}

TEST(FdTest, ReadFullWaitsOnNonBlockingDescriptor) {
  SocketPair sp = MakeSocketPair(SOCK_NONBLOCK);
  char buf[6];
  EXPECT_THAT(ReadOnce(sp.b.get(), absl::MakeSpan(buf), "read socket"),
              StatusIs(absl::StatusCode::kUnavailable,
                       "read socket: Resource temporarily unavailable"));
  std::thread writer([&] {
    ASSERT_THAT(WriteAll(sp.a.get(), "abc"), IsOk());
    ASSERT_THAT(WriteAll(sp.a.get(), "def"), IsOk());
  });
  absl::StatusOr<size_t> n = ReadFull(sp.b.get(), absl::MakeSpan(buf));
  writer.join();
  ASSERT_THAT(n, IsOk());
  EXPECT_EQ(std::string(buf, *n), "abcdef");
}

TEST(FdTest, WriteAllToClosedPeerIsBrokenPipe) {
  ::signal(SIGPIPE, SIG_IGN);
  absl::StatusOr<Pipe> p = MakePipe();
  ASSERT_THAT(p, IsOk());
  p->read.reset();
  EXPECT_THAT(WriteAll(p->write.get(), "x", "write stdout"),
              StatusIs(absl::StatusCode::kFailedPrecondition, "write stdout: Broken pipe"));
}

TEST(FdTest, ResetIsAbortedNotWouldBlock) {
  // A TCP reset maps to kUnavailable in absl; a relay would take it for
  // "try later" and then report the next read's 0 as a clean end.
  UniqueFd l(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  struct sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  ASSERT_EQ(::bind(l.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(::listen(l.get(), 1), 0);
  ASSERT_EQ(::getsockname(l.get(), reinterpret_cast<sockaddr*>(&a), &len), 0);
  UniqueFd c(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_EQ(::connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  UniqueFd s(::accept4(l.get(), nullptr, nullptr, SOCK_CLOEXEC));
  struct linger lg = {1, 0};
  ASSERT_EQ(::setsockopt(s.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
  s.reset();
  char buf[8];
  EXPECT_THAT(ReadOnce(c.get(), absl::MakeSpan(buf), "read net"),
              StatusIs(absl::StatusCode::kAborted, "read net: Connection reset by peer"));
}

TEST(FdTest, WriteAllToBadDescriptorNamesContext) {
  EXPECT_THAT(WriteAll(-1, "x", "write out"),
              StatusIs(absl::StatusCode::kFailedPrecondition, "write out: Bad file descriptor"));
}

TEST(FdTest, ReadFullFromBadDescriptorNamesContext) {
  char buf[1];
  EXPECT_THAT(ReadFull(-1, absl::MakeSpan(buf), "read in"),
              StatusIs(absl::StatusCode::kFailedPrecondition, "read in: Bad file descriptor"));
}

TEST(FdTest, WriteAllOfNothingSucceedsWithoutWriting) {
  EXPECT_THAT(WriteAll(-1, ""), IsOk());
}

TEST(FdTest, ReadFileReadsAWholeFileAndNamesEachFailure) {
  absl::StatusOr<testing::TempDir> d = testing::TempDir::Create();
  ASSERT_THAT(d, IsOk());
  const std::string data = Pattern(200000);
  {
    UniqueFd fd(::open(d->Path("f").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    ASSERT_THAT(WriteAll(fd.get(), data), IsOk());
  }
  EXPECT_THAT(ReadFile(d->Path("f")), IsOkAndHolds(data));
  EXPECT_THAT(ReadFile(d->Path("missing")),
              StatusIs(absl::StatusCode::kNotFound, "open " + d->Path("missing") + ": No such file or directory"));
  EXPECT_THAT(ReadFile(d->path()), StatusIs(absl::StatusCode::kFailedPrecondition, "read " + d->path() + ": Is a directory"));
  EXPECT_THAT(ReadFile(d->Path("missing"), "--policy-file x"),
              StatusIs(absl::StatusCode::kNotFound, "--policy-file x: No such file or directory"));
}

TEST(FdTest, ReadToEndReadsEverything) {
  SocketPair sp = MakeSocketPair();
  const std::string data = Pattern(300000);
  std::thread writer([&] {
    ASSERT_THAT(WriteAll(sp.a.get(), data), IsOk());
    sp.a.reset();
  });
  absl::StatusOr<std::string> got = ReadToEnd(sp.b.get());
  writer.join();
  ASSERT_THAT(got, IsOk());
  EXPECT_TRUE(*got == data);
}

TEST(FdTest, SetNonBlockingTogglesFlag) {
  absl::StatusOr<Pipe> p = MakePipe();
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(IsNonBlocking(p->read.get()), IsOkAndHolds(false));
  ASSERT_THAT(SetNonBlocking(p->read.get(), true), IsOk());
  EXPECT_THAT(IsNonBlocking(p->read.get()), IsOkAndHolds(true));
  ASSERT_THAT(SetNonBlocking(p->read.get(), false), IsOk());
  EXPECT_THAT(IsNonBlocking(p->read.get()), IsOkAndHolds(false));
  EXPECT_THAT(SetNonBlocking(-1, true),
              StatusIs(absl::StatusCode::kFailedPrecondition, "fcntl(F_GETFL): Bad file descriptor"));
}

TEST(FdTest, SetCloseOnExecTogglesFlag) {
  absl::StatusOr<Pipe> p = MakePipe(0);
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(::fcntl(p->read.get(), F_GETFD) & FD_CLOEXEC, 0);
  ASSERT_THAT(SetCloseOnExec(p->read.get(), true), IsOk());
  EXPECT_NE(::fcntl(p->read.get(), F_GETFD) & FD_CLOEXEC, 0);
  ASSERT_THAT(SetCloseOnExec(p->read.get(), false), IsOk());
  EXPECT_EQ(::fcntl(p->read.get(), F_GETFD) & FD_CLOEXEC, 0);
  EXPECT_THAT(SetCloseOnExec(-1, true),
              StatusIs(absl::StatusCode::kFailedPrecondition, "fcntl(F_GETFD): Bad file descriptor"));
}

TEST(FdTest, WriteFileAtomicallyReplacesWholeFile) {
  absl::StatusOr<testing::TempDir> dir = testing::TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  std::string path = dir->Path("port");
  ASSERT_THAT(WriteFileAtomically(path, "old contents\n"), IsOk());
  ASSERT_THAT(WriteFileAtomically(path, "8080\n"), IsOk());
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(fd);
  EXPECT_THAT(ReadToEnd(fd.get()), IsOkAndHolds("8080\n"));
  EXPECT_THAT(WriteFileAtomically(dir->Path("no/such/dir/port"), "x"),
              StatusIs(absl::StatusCode::kNotFound,
                       absl::StrCat("write ", dir->Path("no/such/dir/port"), ": No such file or directory")));
}

TEST(FdTest, EnsureStandardFdsReopensClosedStdin) {
  UniqueFd saved(::fcntl(0, F_DUPFD_CLOEXEC, 10));
  ASSERT_TRUE(saved);
  ::close(0);
  EXPECT_THAT(EnsureStandardFds(), IsOk());
  struct stat st, null_st;
  ASSERT_EQ(::fstat(0, &st), 0);
  ASSERT_EQ(::stat("/dev/null", &null_st), 0);
  EXPECT_EQ(st.st_rdev, null_st.st_rdev);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  ASSERT_EQ(::dup2(saved.get(), 0), 0);
}

TEST(FdTest, EnsureStandardFdsLeavesOpenOnesAlone) {
  struct stat before, after;
  ASSERT_EQ(::fstat(1, &before), 0);
  EXPECT_THAT(EnsureStandardFds(), IsOk());
  ASSERT_EQ(::fstat(1, &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
}

TEST(FdTest, MakePipeIsCloseOnExecByDefault) {
  absl::StatusOr<Pipe> p = MakePipe();
  ASSERT_THAT(p, IsOk());
  EXPECT_NE(::fcntl(p->read.get(), F_GETFD) & FD_CLOEXEC, 0);
  EXPECT_NE(::fcntl(p->write.get(), F_GETFD) & FD_CLOEXEC, 0);
}

TEST(FdTest, MakePipeHonoursNonBlock) {
  absl::StatusOr<Pipe> p = MakePipe(O_CLOEXEC | O_NONBLOCK);
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(IsNonBlocking(p->write.get()), IsOkAndHolds(true));
}

TEST(FdTest, MakePipeRejectsBadFlags) {
  EXPECT_THAT(MakePipe(-1), StatusIs(absl::StatusCode::kInvalidArgument, "pipe2: Invalid argument"));
}

}  // namespace
}  // namespace ipckit::io
