#include "lib/net/socket.h"

#include <fcntl.h>
#include <poll.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/io/fd.h"
#include "lib/io/wait.h"
#include "lib/testing/status_matchers.h"
#include "lib/testing/temp_dir.h"

namespace ipckit::net {
namespace {

using ::absl::StatusCode;
using ::ipckit::testing::IsOk;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::StatusIs;
using ::ipckit::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

SocketAddress Loopback4(uint16_t port = 0) { return *SocketAddress::Numeric("127.0.0.1", port); }
SocketAddress Loopback6(uint16_t port = 0) { return *SocketAddress::Numeric("::1", port); }

ConnectOptions Quick() {
  ConnectOptions o;
  o.timeout = absl::Seconds(5);
  return o;
}

// ClosedPort returns a loopback port that nothing listens on (bound, then closed).
uint16_t ClosedPort() {
  absl::StatusOr<Listener> l = Listener::Listen(Loopback4(), {});
  EXPECT_THAT(l, IsOk());
  return l->address().port();
}

bool IsCloexec(int fd) { return (::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0; }

TEST(SocketTest, ListenReportsRealPortAndAcceptsConnection) {
  absl::StatusOr<Listener> l = Listener::Listen(Loopback4(), {});
  ASSERT_THAT(l, IsOk());
  EXPECT_NE(l->address().port(), 0);
  EXPECT_THAT(l->address().ToString(), MatchesRegex("127\\.0\\.0\\.1:[0-9]+"));
  EXPECT_TRUE(IsCloexec(l->fd()));

  absl::StatusOr<Socket> c = Connect({l->address()}, Quick());
  ASSERT_THAT(c, IsOk());
  EXPECT_TRUE(IsCloexec(c->fd()));
  SocketAddress peer;
  absl::StatusOr<Socket> s = l->Accept(&peer);
  ASSERT_THAT(s, IsOk());
  EXPECT_TRUE(IsCloexec(s->fd()));
  EXPECT_EQ(peer, *c->LocalAddress());
  EXPECT_EQ(*c->PeerAddress(), l->address());

  ASSERT_THAT(io::WriteAll(c->fd(), "hi"), IsOk());
  ASSERT_THAT(c->ShutdownWrite(), IsOk());
  EXPECT_THAT(io::ReadToEnd(s->fd()), IsOkAndHolds("hi"));
}

TEST(SocketTest, SetNoDelayOnTcpOnly) {
  absl::StatusOr<Listener> l = Listener::Listen(Loopback4(), {});
  ASSERT_THAT(l, IsOk());
  absl::StatusOr<Socket> c = Connect({l->address()}, Quick());
  ASSERT_THAT(c, IsOk());
  ASSERT_THAT(SetNoDelay(c->fd()), IsOk());
  int on = 0;
  socklen_t len = sizeof(on);
  ASSERT_EQ(::getsockopt(c->fd(), IPPROTO_TCP, TCP_NODELAY, &on, &len), 0);
  EXPECT_EQ(on, 1);
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  EXPECT_THAT(SetNoDelay(sv[0]), IsOk());  // Nothing to do for a Unix socket.
  ::close(sv[0]);
  ::close(sv[1]);
}

TEST(SocketTest, ConnectIsBlockingAfterwards) {
  absl::StatusOr<Listener> l = Listener::Listen(Loopback4(), {});
  ASSERT_THAT(l, IsOk());
  absl::StatusOr<Socket> c = Connect({l->address()}, Quick());
  ASSERT_THAT(c, IsOk());
  EXPECT_THAT(io::IsNonBlocking(c->fd()), IsOkAndHolds(false));
}

TEST(SocketTest, ConnectRefusedNamesAddress) {
  uint16_t port = ClosedPort();
  EXPECT_THAT(Connect({Loopback4(port)}, Quick()),
              StatusIs(StatusCode::kUnavailable,
                       absl::StrCat("connect 127.0.0.1:", port, ": Connection refused")));
}

TEST(SocketTest, ConnectToTakesHostColonPort) {
  absl::StatusOr<Listener> l = Listener::Listen(Loopback4(), {});
  ASSERT_THAT(l, IsOk());
  absl::StatusOr<Socket> c = ConnectTo(l->address().ToString(), Quick());
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(*c->PeerAddress(), l->address());
  EXPECT_THAT(ConnectTo("nonsense", Quick()),
              StatusIs(StatusCode::kInvalidArgument, "invalid address 'nonsense': expected HOST:PORT or [IPV6]:PORT"));
  EXPECT_THAT(ConnectTo("127.0.0.1:x", Quick()), StatusIs(StatusCode::kInvalidArgument, "invalid port 'x'"));
}

TEST(SocketTest, StartConnectThenFinishConnectWhenWritable) {
  absl::StatusOr<Listener> l = Listener::Listen(Loopback4(), {});
  ASSERT_THAT(l, IsOk());
  absl::StatusOr<Socket> c = StartConnect(l->address(), SOCK_STREAM, {});
  ASSERT_THAT(c, IsOk());
  EXPECT_THAT(io::IsNonBlocking(c->fd()), IsOkAndHolds(true));
  ASSERT_THAT(io::WaitUntil(c->fd(), POLLOUT, absl::Now() + absl::Seconds(5), "connect"), IsOkAndHolds(true));
  EXPECT_THAT(FinishConnect(c->fd(), l->address()), IsOk());
  EXPECT_EQ(*c->PeerAddress(), l->address());
}

TEST(SocketTest, FinishConnectReportsRefusal) {
  uint16_t port = ClosedPort();
  absl::StatusOr<Socket> c = StartConnect(Loopback4(port), SOCK_STREAM, {});
  ASSERT_THAT(c, IsOk());
  ASSERT_THAT(io::WaitUntil(c->fd(), POLLOUT, absl::Now() + absl::Seconds(5), "connect"), IsOkAndHolds(true));
  EXPECT_THAT(FinishConnect(c->fd(), Loopback4(port)),
              StatusIs(StatusCode::kUnavailable, absl::StrCat("connect 127.0.0.1:", port, ": Connection refused")));
}

TEST(SocketTest, StartConnectToMissingUnixPathFailsAtOnce) {
  absl::StatusOr<SocketAddress> a = SocketAddress::Unix("/nonexistent/relay.sock");
  ASSERT_THAT(a, IsOk());
  EXPECT_THAT(StartConnect(*a, SOCK_STREAM, {}),
              StatusIs(StatusCode::kNotFound, "connect /nonexistent/relay.sock: No such file or directory"));
}

TEST(SocketTest, ConnectTriesEveryAddressInTurn) {
  absl::StatusOr<Listener> l = Listener::Listen(Loopback4(), {});
  ASSERT_THAT(l, IsOk());
  uint16_t closed = ClosedPort();
  absl::StatusOr<Socket> c = Connect({Loopback4(closed), Loopback6(closed), l->address()}, Quick());
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(*c->PeerAddress(), l->address());
}

TEST(SocketTest, ConnectReportsLastError) {
  uint16_t closed = ClosedPort();
  EXPECT_THAT(Connect({Loopback4(closed), Loopback6(closed)}, Quick()),
              StatusIs(StatusCode::kUnavailable,
                       absl::StrCat("connect [::1]:", closed, ": Connection refused")));
  EXPECT_THAT(Connect({}, Quick()), StatusIs(StatusCode::kNotFound, "connect: no addresses"));
}

// A listener whose accept queue is full drops further SYNs, so a connect
// to it cannot complete: the deadline must end it.
TEST(SocketTest, ConnectTimesOutOnFullAcceptQueue) {
  ListenOptions lo;
  lo.backlog = 0;
  absl::StatusOr<Listener> l = Listener::Listen(Loopback4(), lo);
  ASSERT_THAT(l, IsOk());
  std::vector<Socket> fillers;
  ConnectOptions fill;
  fill.timeout = absl::Milliseconds(200);
  // Fill the queue until a connect times out (Linux queues backlog+1).
  absl::Status last;
  for (int i = 0; i < 16 && last.ok(); ++i) {
    absl::StatusOr<Socket> c = Connect({l->address()}, fill);
    if (c.ok()) {
      fillers.push_back(std::move(*c));
    } else {
      last = c.status();
    }
  }
  EXPECT_THAT(last, StatusIs(StatusCode::kDeadlineExceeded,
                             absl::StrCat("connect ", l->address().ToString(),
                                          ": timed out after 200ms")));
  EXPECT_GE(fillers.size(), 1u);
}

TEST(SocketTest, DualStackListenerAcceptsIPv4) {
  absl::StatusOr<Listener> l = Listener::Listen(*SocketAddress::Numeric("::", 0), {});
  ASSERT_THAT(l, IsOk());
  EXPECT_EQ(l->address().family(), AF_INET6);
  absl::StatusOr<Socket> c4 = Connect({Loopback4(l->address().port())}, Quick());
  ASSERT_THAT(c4, IsOk());
  SocketAddress peer;
  ASSERT_THAT(l->Accept(&peer), IsOk());
  EXPECT_EQ(peer.Host(), "::ffff:127.0.0.1");
  absl::StatusOr<Socket> c6 = Connect({Loopback6(l->address().port())}, Quick());
  EXPECT_THAT(c6, IsOk());
}

TEST(SocketTest, V6OnlyListenerRefusesIPv4) {
  ListenOptions lo;
  lo.v6only = true;
  absl::StatusOr<Listener> l = Listener::Listen(*SocketAddress::Numeric("::", 0), lo);
  ASSERT_THAT(l, IsOk());
  EXPECT_THAT(Connect({Loopback4(l->address().port())}, Quick()),
              StatusIs(StatusCode::kUnavailable, HasSubstr("Connection refused")));
}

TEST(SocketTest, BacklogDefaultsToAtLeast128) { EXPECT_GE(ListenOptions().backlog, 128); }

TEST(SocketTest, SecondListenerOnSamePortNeedsReusePort) {
  absl::StatusOr<Listener> a = Listener::Listen(Loopback4(), {});
  ASSERT_THAT(a, IsOk());
  EXPECT_THAT(Listener::Listen(a->address(), {}),
              StatusIs(StatusCode::kFailedPrecondition,
                       absl::StrCat("bind ", a->address().ToString(), ": Address already in use")));
  ListenOptions reuse;
  reuse.socket.reuse_port = true;
  absl::StatusOr<Listener> b = Listener::Listen(Loopback4(), reuse);
  ASSERT_THAT(b, IsOk());
  EXPECT_THAT(Listener::Listen(b->address(), reuse), IsOk());
}

TEST(SocketTest, SourceAddressAndPortAreUsed) {
  absl::StatusOr<Listener> l = Listener::Listen(Loopback4(), {});
  ASSERT_THAT(l, IsOk());
  uint16_t source_port = ClosedPort();
  ConnectOptions o = Quick();
  o.source = *SocketAddress::Numeric("127.0.0.2", source_port);
  absl::StatusOr<Socket> c = Connect({l->address()}, o);
  ASSERT_THAT(c, IsOk());
  SocketAddress peer;
  ASSERT_THAT(l->Accept(&peer), IsOk());
  EXPECT_EQ(peer.ToString(), absl::StrCat("127.0.0.2:", source_port));
}

TEST(SocketTest, ApplySetsTosBuffersAndKeepalive) {
  absl::StatusOr<Listener> l = Listener::Listen(Loopback4(), {});
  ASSERT_THAT(l, IsOk());
  ConnectOptions o = Quick();
  o.socket.tos = 0x10;
  o.socket.keepalive = true;
  o.socket.recv_buffer = 65536;
  absl::StatusOr<Socket> c = Connect({l->address()}, o);
  ASSERT_THAT(c, IsOk());
  int v = 0;
  socklen_t len = sizeof(v);
  ASSERT_EQ(::getsockopt(c->fd(), IPPROTO_IP, IP_TOS, &v, &len), 0);
  EXPECT_EQ(v, 0x10);
  ASSERT_EQ(::getsockopt(c->fd(), SOL_SOCKET, SO_KEEPALIVE, &v, &len), 0);
  EXPECT_EQ(v, 1);
  ASSERT_EQ(::getsockopt(c->fd(), SOL_SOCKET, SO_RCVBUF, &v, &len), 0);
  EXPECT_EQ(v, 2 * 65536);  // Linux doubles it for bookkeeping.
}

TEST(SocketTest, UdpBindReportsPortAndRoundTrips) {
  ListenOptions lo;
  lo.type = SOCK_DGRAM;
  absl::StatusOr<Listener> l = Listener::Listen(Loopback6(), lo);
  ASSERT_THAT(l, IsOk());
  EXPECT_NE(l->address().port(), 0);
  ConnectOptions co = Quick();
  co.type = SOCK_DGRAM;
  absl::StatusOr<Socket> c = Connect({l->address()}, co);
  ASSERT_THAT(c, IsOk());
  ASSERT_THAT(io::WriteAll(c->fd(), "datagram"), IsOk());
  char buf[100];
  EXPECT_EQ(::recv(l->fd(), buf, sizeof(buf), 0), 8);
}

class UnixListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TempDir> d = TempDir::Create();
    ASSERT_THAT(d, IsOk());
    dir_ = std::make_unique<TempDir>(std::move(*d));
    path_ = dir_->Path("s.sock");
  }
  bool PathExists() {
    struct stat st;
    return ::lstat(path_.c_str(), &st) == 0;
  }
  std::unique_ptr<TempDir> dir_;
  std::string path_;
};

TEST_F(UnixListenerTest, StreamRoundTripAndPathRemovedAtExit) {
  {
    absl::StatusOr<Listener> l = Listener::Listen(*SocketAddress::Unix(path_), {});
    ASSERT_THAT(l, IsOk());
    EXPECT_EQ(l->address().ToString(), path_);
    absl::StatusOr<Socket> c = Connect({*SocketAddress::Unix(path_)}, Quick());
    ASSERT_THAT(c, IsOk());
    ASSERT_THAT(l->Accept(), IsOk());
    EXPECT_TRUE(PathExists());
  }
  EXPECT_FALSE(PathExists());
}

TEST_F(UnixListenerTest, LivePathIsNeverStolen) {
  absl::StatusOr<Listener> live = Listener::Listen(*SocketAddress::Unix(path_), {});
  ASSERT_THAT(live, IsOk());
  EXPECT_THAT(Listener::Listen(*SocketAddress::Unix(path_), {}),
              StatusIs(StatusCode::kAlreadyExists,
                       absl::StrCat("listen ", path_, ": a server is already listening there")));
  // The live server still works.
  EXPECT_THAT(Connect({*SocketAddress::Unix(path_)}, Quick()), IsOk());
}

TEST_F(UnixListenerTest, StalePathIsReplaced) {
  {
    absl::StatusOr<Socket> s = Socket::Create(AF_UNIX, SOCK_STREAM);
    ASSERT_THAT(s, IsOk());
    ASSERT_THAT(s->Bind(*SocketAddress::Unix(path_)), IsOk());
  }  // Closed without unlinking: a stale path.
  ASSERT_TRUE(PathExists());
  absl::StatusOr<Listener> l = Listener::Listen(*SocketAddress::Unix(path_), {});
  ASSERT_THAT(l, IsOk());
  EXPECT_THAT(Connect({*SocketAddress::Unix(path_)}, Quick()), IsOk());
}

TEST_F(UnixListenerTest, NonSocketIsRefused) {
  int fd = ::open(path_.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ::close(fd);
  EXPECT_THAT(Listener::Listen(*SocketAddress::Unix(path_), {}),
              StatusIs(StatusCode::kAlreadyExists,
                       absl::StrCat("listen ", path_, ": exists and is not a socket")));
  EXPECT_TRUE(PathExists());
}

TEST_F(UnixListenerTest, DoesNotRemoveAPathItNoLongerOwns) {
  absl::StatusOr<Listener> l = Listener::Listen(*SocketAddress::Unix(path_), {});
  ASSERT_THAT(l, IsOk());
  ASSERT_EQ(::unlink(path_.c_str()), 0);
  int fd = ::open(path_.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);  // Someone else's file.
  ASSERT_GE(fd, 0);
  ::close(fd);
  *l = std::move(*Listener::Listen(*SocketAddress::Unix(dir_->Path("other.sock")), {}));
  EXPECT_TRUE(PathExists());
}

TEST_F(UnixListenerTest, DatagramLivePathIsNeverStolen) {
  ListenOptions lo;
  lo.type = SOCK_DGRAM;
  absl::StatusOr<Listener> live = Listener::Listen(*SocketAddress::Unix(path_), lo);
  ASSERT_THAT(live, IsOk());
  EXPECT_THAT(Listener::Listen(*SocketAddress::Unix(path_), lo),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("already listening")));
}

TEST(UnixAbstractTest, AbstractNamesWork) {
  std::string name = absl::StrCat("@ipckit-test-", ::getpid());
  absl::StatusOr<Listener> l = Listener::Listen(*SocketAddress::Unix(name), {});
  ASSERT_THAT(l, IsOk());
  EXPECT_EQ(l->address().ToString(), name);
  EXPECT_THAT(Connect({*SocketAddress::Unix(name)}, Quick()), IsOk());
}

}  // namespace
}  // namespace ipckit::net
