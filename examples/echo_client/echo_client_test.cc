// echo_client_test runs under with_server (see BUILD): ECHO is a plain echod,
// TRUNC closes after 5 bytes, RST resets after 5 bytes.
#include "examples/echo_client/echo_client.h"

#include <stdlib.h>

#include <string>

#include "gtest/gtest.h"

namespace example {
namespace {

std::string Addr(const char* var) {
  const char* v = ::getenv(var);
  EXPECT_NE(v, nullptr) << var << " is not set: run this test under with_server";
  return v ? v : "";
}

TEST(EchoClientTest, RoundTripsAMegabyte) {
  std::string request(1 << 20, 'x');
  for (size_t i = 0; i < request.size(); i += 7) request[i] = static_cast<char>('a' + i % 26);
  absl::StatusOr<std::string> reply = Exchange(Addr("ECHO_ADDR"), request, absl::Seconds(5));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_TRUE(*reply == request);
}

TEST(EchoClientTest, DetectsATruncatingServer) {
  absl::StatusOr<std::string> reply = Exchange(Addr("TRUNC_ADDR"), "hello world", absl::Seconds(5));
  EXPECT_EQ(reply.status(), absl::DataLossError("short echo: 5 of 11 bytes"));
}

TEST(EchoClientTest, ReportsAReset) {
  absl::StatusOr<std::string> reply = Exchange(Addr("RST_ADDR"), "hello world", absl::Seconds(5));
  EXPECT_EQ(reply.status(), absl::AbortedError("read: Connection reset by peer"));
}

}  // namespace
}  // namespace example
