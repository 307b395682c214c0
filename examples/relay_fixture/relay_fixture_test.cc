// relay_fixture_test runs under with_server (see BUILD). ECHO is a plain
// echod; the relays in front of it were started after it, with its address:
// TLS terminates TLS for it, SLOW adds 200ms of latency to its replies,
// FLAKY adds 50ms and closes each connection after 8 bytes of reply, and
// RESET does the same with a reset (RST) instead of a FIN.
#include <stdlib.h>

#include "examples/relay_fixture/retrying_client.h"
#include "gtest/gtest.h"
#include "lib/net/address.h"
#include "lib/net/socket.h"
#include "lib/tls/tls_context.h"
#include "lib/tls/tls_stream.h"

namespace example {
namespace {

std::string Env(const char* var) {
  const char* v = ::getenv(var);
  EXPECT_NE(v, nullptr) << var << " is not set: run this test under with_server";
  return v ? v : "";
}

TEST(RelayFixtureTest, TlsInFrontOfAPlainServer) {
  ipckit::tls::TlsOptions o;
  o.ca_file = Env("TEST_SRCDIR") + "/" + Env("TEST_WORKSPACE") + "/testdata/tls/ca.pem";
  absl::StatusOr<ipckit::tls::TlsContext> ctx = ipckit::tls::TlsContext::Client(o);
  ASSERT_TRUE(ctx.ok()) << ctx.status();
  absl::StatusOr<ipckit::net::HostPort> hp = ipckit::net::SplitHostPort(Env("TLS_ADDR"));
  ASSERT_TRUE(hp.ok());
  absl::StatusOr<ipckit::net::SocketAddress> a = ipckit::net::SocketAddress::Numeric(hp->host, std::stoi(hp->port));
  ASSERT_TRUE(a.ok());
  absl::StatusOr<ipckit::net::Socket> sock = ipckit::net::Connect({*a}, {});
  ASSERT_TRUE(sock.ok()) << sock.status();
  absl::StatusOr<std::unique_ptr<ipckit::tls::TlsStream>> tls =
      ipckit::tls::TlsStream::Client(*ctx, sock->Release(), ipckit::tls::TlsClientParams::For("localhost"));
  ASSERT_TRUE(tls.ok()) << tls.status();
  ASSERT_TRUE((*tls)->HandshakeUntil(absl::Now() + absl::Seconds(5)).ok());
  std::string got;
  for (absl::string_view left = "over TLS"; !left.empty();) {
    absl::StatusOr<size_t> n = (*tls)->Write(left);
    if (n.ok()) left.remove_prefix(*n);
  }
  char buf[64];
  absl::Time end = absl::Now() + absl::Seconds(5);
  while (got.size() < 8 && absl::Now() < end) {
    absl::StatusOr<size_t> n = (*tls)->Read(absl::MakeSpan(buf));
    if (n.ok()) got.append(buf, *n);
  }
  EXPECT_EQ(got, "over TLS");
}

TEST(RelayFixtureTest, ATimeoutShorterThanTheLatencyRetriesThenGivesUp) {
  absl::Time start = absl::Now();
  Outcome o = CallWithRetry(Env("SLOW_ADDR"), "ping", absl::Milliseconds(100), 3);
  EXPECT_EQ(o.tries, 3);
  EXPECT_EQ(o.reply.status(), absl::DeadlineExceededError("timed out after 100ms"));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(300));
}

TEST(RelayFixtureTest, ATimeoutLongerThanTheLatencySucceedsFirstTime) {
  absl::Time start = absl::Now();
  Outcome o = CallWithRetry(Env("SLOW_ADDR"), "ping", absl::Seconds(2), 3);
  EXPECT_EQ(o.tries, 1);
  ASSERT_TRUE(o.reply.ok()) << o.reply.status();
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(200));  // The latency is real.
}

TEST(RelayFixtureTest, ACutReplyIsRetriedAndReported) {
  Outcome o = CallWithRetry(Env("FLAKY_ADDR"), std::string(100, 'x'), absl::Seconds(2), 3);
  EXPECT_EQ(o.tries, 3);
  EXPECT_EQ(o.reply.status(), absl::DataLossError("short reply: 8 of 100 bytes"));
  o = CallWithRetry(Env("FLAKY_ADDR"), "tiny", absl::Seconds(2), 3);  // Under the limit: fine.
  EXPECT_EQ(o.tries, 1);
  EXPECT_TRUE(o.reply.ok()) << o.reply.status();
}

TEST(RelayFixtureTest, AResetAfterEightBytesIsRetriedAndReported) {
  absl::Time start = absl::Now();
  Outcome o = CallWithRetry(Env("RESET_ADDR"), std::string(100, 'x'), absl::Seconds(2), 3);
  EXPECT_EQ(o.tries, 3);
  EXPECT_EQ(o.reply.status(), absl::AbortedError("read: Connection reset by peer"));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(150));  // Three tries, each after 50ms of latency.
}

}  // namespace
}  // namespace example
