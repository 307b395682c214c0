#include "tools/with_server/readiness.h"

#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/io/fd.h"
#include "lib/net/socket.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::with_server {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Optional;

TEST(ReadinessTest, PatternsSpeakPerlClasses) {
  EXPECT_EQ(TranslatePattern(R"(port (\d+)\s\w\D\S\W\.)"),
            "port ([0-9]+)[[:space:]][[:alnum:]_][^0-9][^[:space:]][^[:alnum:]_]\\.");
  absl::StatusOr<LogPattern> p = LogPattern::Compile(R"(Serving HTTP on .* port (\d+))");
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->Match("Serving HTTP on 0.0.0.0 port 41234 (http://0.0.0.0:41234/) ..."), Optional(std::string("41234")));
  EXPECT_EQ(p->Match("Serving FTP"), std::nullopt);
  absl::StatusOr<LogPattern> q = LogPattern::Compile("ready");
  ASSERT_THAT(q, IsOk());
  EXPECT_THAT(q->Match("server ready"), Optional(std::string()));
  EXPECT_THAT(LogPattern::Compile("x("), StatusIs(absl::StatusCode::kInvalidArgument,
                                                  ::testing::StartsWith("bad pattern 'x(': ")));
}

TEST(ReadinessTest, BarePortsTakeTheHostTheServerWasToldToBind) {
  EXPECT_EQ(BindHostOf({"echod", "-l", "[::1]:0", "--port-file", "p"}), "::1");
  EXPECT_EQ(BindHostOf({"echod", "-l", "tls:127.0.0.2:0"}), "127.0.0.2");
  EXPECT_EQ(BindHostOf({"relay", "[::]:0", "127.0.0.1:80"}), "::1");
  EXPECT_EQ(BindHostOf({"server", "--port", "0"}), "127.0.0.1");
  EXPECT_THAT(PortFileAddresses("4000\n[::1]:5000\n127.0.0.3:6\n/tmp/x.sock\n\n", "::1"),
              ElementsAre("[::1]:4000", "[::1]:5000", "127.0.0.3:6", "/tmp/x.sock"));
  EXPECT_THAT(PortFileAddresses("4000\n", "127.0.0.1"), ElementsAre("127.0.0.1:4000"));
}

// Serve answers one HTTP request on `l` with `reply`.
void Serve(net::Listener& l, std::string reply) {
  absl::StatusOr<net::Socket> c = l.Accept();
  if (!c.ok()) return;
  char buf[1024];
  // The request's first piece is enough; what the client makes of the
  // reply is the test.
  (void)io::ReadOnce(c->fd(), absl::MakeSpan(buf), "read request");
  (void)io::WriteAll(c->fd(), reply, "write reply");
}

TEST(ReadinessTest, HttpGetWantsTwoHundreds) {
  absl::StatusOr<net::Listener> l = net::Listener::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), {});
  ASSERT_THAT(l, IsOk());
  std::string addr = l->address().ToString();
  std::thread t([&] { Serve(*l, "HTTP/1.0 204 No Content\r\n\r\n"); });
  EXPECT_THAT(HttpGet(addr, "/health", absl::Now() + absl::Seconds(5)), IsOk());
  t.join();
  std::thread u([&] { Serve(*l, "HTTP/1.1 503 Service Unavailable\r\n\r\n"); });
  EXPECT_THAT(HttpGet(addr, "/health", absl::Now() + absl::Seconds(5)),
              StatusIs(absl::StatusCode::kUnavailable, "GET /health: 503 Service Unavailable"));
  u.join();
  EXPECT_TRUE(TcpConnects(addr));
  l = net::Listener::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), {});
  ASSERT_THAT(l, IsOk());
  addr = l->address().ToString();
  l = absl::InternalError("closed");  // Nothing listens there now.
  EXPECT_FALSE(TcpConnects(addr));
  EXPECT_THAT(HttpGet(addr, "/", absl::Now() + absl::Seconds(5)),
              StatusIs(absl::StatusCode::kUnavailable, absl::StrCat("connect ", addr, ": Connection refused")));
}

}  // namespace
}  // namespace ipckit::with_server
