#include "lib/relay/datagram_stream.h"

#include <sys/socket.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/io/fd.h"
#include "lib/net/socket.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::relay {
namespace {

using ::absl::StatusCode;
using ::ipckit::testing::IsOk;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::StatusIs;
using net::ConnectOptions;
using net::Listener;
using net::ListenOptions;
using net::Socket;
using net::SocketAddress;

struct UdpPair {
  Listener server;
  Socket client;
};

UdpPair MakeUdpPair(const char* host) {
  ListenOptions lo;
  lo.type = SOCK_DGRAM;
  absl::StatusOr<Listener> l = Listener::Listen(*SocketAddress::Numeric(host, 0), lo);
  EXPECT_THAT(l, IsOk());
  ConnectOptions co;
  co.type = SOCK_DGRAM;
  absl::StatusOr<Socket> c = net::Connect({l->address()}, co);
  EXPECT_THAT(c, IsOk());
  return UdpPair{std::move(*l), std::move(*c)};
}

TEST(DatagramStreamTest, EachReadIsOneDatagram) {
  UdpPair p = MakeUdpPair("127.0.0.1");
  DatagramStream client(p.client.fd(), "net");
  for (size_t size : {1u, 1000u, 65507u}) {
    ASSERT_THAT(client.Write(std::string(size, 'a')), IsOkAndHolds(size));
  }
  DatagramStream server(p.server.fd(), "net", /*reply_to_sender=*/true);
  std::vector<char> buf(server.MinReadSize());
  EXPECT_THAT(server.Read(absl::MakeSpan(buf)), IsOkAndHolds(1));
  EXPECT_THAT(server.Read(absl::MakeSpan(buf)), IsOkAndHolds(1000));
  EXPECT_THAT(server.Read(absl::MakeSpan(buf)), IsOkAndHolds(65507));
}

TEST(DatagramStreamTest, WriteSendsAtMostOneMaximalDatagram) {
  UdpPair p = MakeUdpPair("::1");
  DatagramStream client(p.client.fd(), "net");
  EXPECT_THAT(client.Write(std::string(70000, 'b')), IsOkAndHolds(65507));
  char buf[70000];
  EXPECT_EQ(::recv(p.server.fd(), buf, sizeof(buf), 0), 65507);
}

TEST(DatagramStreamTest, TooSmallBufferIsDataLoss) {
  UdpPair p = MakeUdpPair("127.0.0.1");
  ASSERT_THAT(io::WriteAll(p.client.fd(), std::string(100, 'c')), IsOk());
  DatagramStream server(p.server.fd(), "net", true);
  char buf[10];
  EXPECT_THAT(server.Read(absl::MakeSpan(buf)),
              StatusIs(StatusCode::kDataLoss, "read net: datagram of 100 bytes truncated"));
}

TEST(DatagramStreamTest, RepliesGoToLatestSender) {
  UdpPair a = MakeUdpPair("127.0.0.1");
  ConnectOptions co;
  co.type = SOCK_DGRAM;
  absl::StatusOr<Socket> b = net::Connect({a.server.address()}, co);
  ASSERT_THAT(b, IsOk());
  DatagramStream server(a.server.fd(), "net", true);
  EXPECT_THAT(server.Write("nobody yet"), IsOkAndHolds(10));  // Dropped: no sender known.

  std::vector<char> buf(server.MinReadSize());
  ASSERT_THAT(io::WriteAll(a.client.fd(), "from a"), IsOk());
  ASSERT_THAT(server.Read(absl::MakeSpan(buf)), IsOkAndHolds(6));
  ASSERT_THAT(io::WriteAll(b->fd(), "from b"), IsOk());
  ASSERT_THAT(server.Read(absl::MakeSpan(buf)), IsOkAndHolds(6));
  EXPECT_EQ(server.peer()->ToString(), b->LocalAddress()->ToString());
  ASSERT_THAT(server.Write("to b"), IsOkAndHolds(4));
  char got[16];
  EXPECT_EQ(::recv(b->fd(), got, sizeof(got), 0), 4);
  EXPECT_EQ(::recv(a.client.fd(), got, sizeof(got), MSG_DONTWAIT), -1);
}

TEST(DatagramStreamTest, EmptyDatagramIsNotEndOfInput) {
  UdpPair p = MakeUdpPair("127.0.0.1");
  ASSERT_EQ(::send(p.client.fd(), "", 0, 0), 0);
  DatagramStream server(p.server.fd(), "net", true);
  std::vector<char> buf(server.MinReadSize());
  EXPECT_THAT(server.Read(absl::MakeSpan(buf)), StatusIs(StatusCode::kUnavailable));
}

}  // namespace
}  // namespace ipckit::relay
