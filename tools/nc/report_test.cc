#include "tools/nc/report.h"

#include "gtest/gtest.h"

namespace ipckit::nc {
namespace {

net::SocketAddress Addr(const char* host, uint16_t port) {
  return *net::SocketAddress::Numeric(host, port);
}

TEST(ReportTest, ReportSockNamesHostsUnlessNumeric) {
  EXPECT_EQ(ReportSock("Listening", Addr("127.0.0.1", 41234), false), "Listening on localhost 41234");
  EXPECT_EQ(ReportSock("Listening", Addr("127.0.0.1", 41234), true), "Listening on 127.0.0.1 41234");
  EXPECT_EQ(ReportSock("Bound", Addr("::", 5), false), "Bound on :: 5");
  // An IPv4 client of a dual-stack listener, as netcat-openbsd's IPv4 listener names it.
  EXPECT_EQ(ReportSock("Connection received", Addr("::ffff:127.0.0.1", 7), false),
            "Connection received on localhost 7");
  EXPECT_EQ(ReportSock("Connection received", *net::SocketAddress::Unix("/x/s.sock"), false, "s.sock"),
            "Connection received on s.sock");
}

TEST(ReportTest, ConnectionInfoAsNetcatOpenbsd) {
  EXPECT_EQ(ConnectionInfo("127.0.0.1", 41234, "tcp", "127.0.0.1", false, false),
            "Connection to 127.0.0.1 41234 port [tcp/*] succeeded!");
  EXPECT_EQ(ConnectionInfo("localhost", 80, "tcp", "127.0.0.1", false, false),
            "Connection to localhost (127.0.0.1) 80 port [tcp/http] succeeded!");
  EXPECT_EQ(ConnectionInfo("localhost", 80, "tcp", "127.0.0.1", true, false),
            "Connection to localhost 80 port [tcp/*] succeeded!");
  EXPECT_EQ(ConnectionInfo("example.org", 22, "tcp", "", false, true),
            "Connection to example.org 22 port [tcp/ssh] succeeded!");
}

TEST(ReportTest, ConnectFailedTakesTheErrnoText) {
  absl::Status refused = absl::UnavailableError("connect 127.0.0.1:9: Connection refused");
  EXPECT_EQ(ConnectFailed("127.0.0.1", 9, "tcp", "127.0.0.1", false, refused),
            "connect to 127.0.0.1 port 9 (tcp) failed: Connection refused");
  EXPECT_EQ(ConnectFailed("localhost", 9, "tcp", "::1", false, refused),
            "connect to localhost (::1) port 9 (tcp) failed: Connection refused");
  EXPECT_EQ(ConnectFailed("h", 9, "udp", "192.0.2.1", false,
                          absl::DeadlineExceededError("connect: timed out after 1s")),
            "connect to h (192.0.2.1) port 9 (udp) timed out: Operation now in progress");
}

}  // namespace
}  // namespace ipckit::nc
