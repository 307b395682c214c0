// http_client_test runs under with_server (see BUILD) against two
// `python3 -m http.server`s: HTTP on the {port} with_server picked, ready
// once GET / answers 200; LOGGED on a port it chose itself (0), which
// with_server reads from its "Serving HTTP on ... port N" line.
#include "examples/http_client/http_client.h"

#include <stdlib.h>

#include "gtest/gtest.h"

namespace example {
namespace {

std::string Env(const char* var) {
  const char* v = ::getenv(var);
  EXPECT_NE(v, nullptr) << var << " is not set: run this test under with_server";
  return v ? v : "";
}

TEST(HttpClientTest, FetchesAFile) {
  absl::StatusOr<Response> r = Get(Env("HTTP_ADDR"), "/examples/http_client/hello.txt", absl::Seconds(5));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello from http.server\n");
}

TEST(HttpClientTest, SeesA404) {
  absl::StatusOr<Response> r = Get(Env("HTTP_ADDR"), "/no/such/file", absl::Seconds(5));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 404);
}

TEST(HttpClientTest, FindsTheServerThatChoseItsOwnPort) {
  absl::StatusOr<Response> r = Get(Env("LOGGED_ADDR"), "/examples/http_client/hello.txt", absl::Seconds(5));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace example
