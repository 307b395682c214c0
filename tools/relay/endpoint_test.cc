#include "tools/relay/endpoint.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::relay_tool {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;
using ::testing::ElementsAre;

TEST(EndpointTest, FromForms) {
  absl::StatusOr<From> f = ParseFrom("127.0.0.1:0");
  ASSERT_THAT(f, IsOk());
  EXPECT_EQ(f->transport, Transport::kTcp);
  EXPECT_EQ(f->address.ToString(), "127.0.0.1:0");
  f = ParseFrom("tls:[::1]:8443");
  ASSERT_THAT(f, IsOk());
  EXPECT_EQ(f->transport, Transport::kTls);
  EXPECT_EQ(f->address.ToString(), "[::1]:8443");
  f = ParseFrom(":8080");
  ASSERT_THAT(f, IsOk());
  EXPECT_EQ(f->address.ToString(), "[::]:8080");
  f = ParseFrom("unix:@relay");
  ASSERT_THAT(f, IsOk());
  EXPECT_EQ(f->transport, Transport::kUnix);
  EXPECT_EQ(f->address.ToString(), "@relay");
  f = ParseFrom("udp:127.0.0.1:53");
  ASSERT_THAT(f, IsOk());
  EXPECT_EQ(f->transport, Transport::kUdp);
  EXPECT_EQ(ParseFrom("unix-dgram:/tmp/d.sock")->transport, Transport::kUnixDgram);
  EXPECT_EQ(ParseFrom("listen-fds")->transport, Transport::kListenFds);
  EXPECT_EQ(ParseFrom("stdio")->transport, Transport::kStdio);
}

TEST(EndpointTest, FromErrors) {
  EXPECT_THAT(ParseFrom("8080"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "invalid FROM '8080': expected [tcp:|tls:|udp:]HOST:PORT, unix:PATH, listen-fds or stdio"));
  EXPECT_THAT(ParseFrom("tcp:127.0.0.1:99999"),
              StatusIs(absl::StatusCode::kInvalidArgument, "invalid FROM 'tcp:127.0.0.1:99999': invalid port '99999'"));
  EXPECT_THAT(ParseFrom("unix:"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(EndpointTest, ToForms) {
  absl::StatusOr<To> t = ParseTo("localhost:80");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->transport, Transport::kTcp);
  EXPECT_EQ(t->host, "localhost");
  EXPECT_EQ(t->port, 80);
  EXPECT_EQ(Describe(*t), "localhost:80");
  t = ParseTo("tls:[::1]:443");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->host, "::1");
  EXPECT_EQ(Describe(*t), "tls:[::1]:443");
  t = ParseTo("udp:127.0.0.1:53");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->transport, Transport::kUdp);
  EXPECT_EQ(Describe(*t), "udp:127.0.0.1:53");
  t = ParseTo("unix-dgram:/run/d.sock");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->transport, Transport::kUnixDgram);
  EXPECT_EQ(Describe(*t), "unix-dgram:/run/d.sock");
  t = ParseTo("unix:/var/run/docker.sock");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(Describe(*t), "/var/run/docker.sock");
  t = ParseTo("exec:cat -u");
  ASSERT_THAT(t, IsOk());
  EXPECT_THAT(t->argv, ElementsAre("cat", "-u"));
  EXPECT_EQ(Describe(*t), "exec:cat -u");
  t = ParseTo("sh:tr a-z A-Z | rev");
  ASSERT_THAT(t, IsOk());
  EXPECT_THAT(t->argv, ElementsAre("/bin/sh", "-c", "tr a-z A-Z | rev"));
  EXPECT_EQ(Describe(*t), "sh:tr a-z A-Z | rev");
}

TEST(EndpointTest, ToErrors) {
  EXPECT_THAT(ParseTo(":80"), StatusIs(absl::StatusCode::kInvalidArgument,
                                       "invalid TO ':80': expected [tcp:|tls:|udp:]HOST:PORT, unix:PATH, exec:PROGRAM "
                                       "or sh:COMMAND"));
  EXPECT_THAT(ParseTo("127.0.0.1:0"),
              StatusIs(absl::StatusCode::kInvalidArgument, "invalid TO '127.0.0.1:0': port 0 cannot be connected to"));
  EXPECT_THAT(ParseTo("exec:  "), StatusIs(absl::StatusCode::kInvalidArgument, "invalid TO 'exec:  ': empty command"));
  EXPECT_THAT(ParseTo("sh:"), StatusIs(absl::StatusCode::kInvalidArgument, "invalid TO 'sh:': empty command"));
}

}  // namespace
}  // namespace ipckit::relay_tool
