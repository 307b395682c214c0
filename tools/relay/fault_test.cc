#include "tools/relay/fault.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::relay_tool {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;

TEST(FaultTest, ParsesEachKindAndRoundTrips) {
  for (const char* text : {"latency 100ms jitter=20ms dir=down p=1 name=latency",
                           "bandwidth 65536 dir=up p=0.5 name=slow",
                           "slicer 64 delay=10ms dir=both p=1 name=slicer",
                           "limit-data 1000 dir=down p=1 name=limit-data",
                           "limit-data 8 close=reset dir=down p=1 name=cut", "timeout 2s dir=down p=1 name=timeout",
                           "reset-peer 500ms dir=down p=1 name=reset-peer",
                           "slow-close 1s dir=down p=1 name=slow-close"}) {
    absl::StatusOr<Fault> f = ParseFault(text);
    ASSERT_THAT(f, IsOk()) << text;
    EXPECT_EQ(FormatFault(*f), text);
  }
}

TEST(FaultTest, DefaultsAreToxiproxys) {
  absl::StatusOr<Fault> f = ParseFault("bandwidth 64K/s");
  ASSERT_THAT(f, IsOk());
  EXPECT_EQ(f->amount, 65536u);
  EXPECT_EQ(f->dirs, kDown);
  EXPECT_EQ(f->probability, 1.0);
  EXPECT_EQ(f->name, "bandwidth");
  f = ParseFault("reset-peer");
  ASSERT_THAT(f, IsOk());
  EXPECT_EQ(f->duration, absl::ZeroDuration());
}

TEST(FaultTest, Errors) {
  EXPECT_THAT(ParseFault("lag 1s"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unknown fault 'lag' (latency, bandwidth, slicer, limit-data, timeout, reset-peer, "
                       "slow-close, loss, duplicate, reorder)"));
  EXPECT_THAT(ParseFault("loss"), StatusIs(absl::StatusCode::kInvalidArgument, "loss: missing CHANCE"));
  EXPECT_THAT(ParseFault("reorder 101%"),
              StatusIs(absl::StatusCode::kInvalidArgument, "reorder: '101%' is not a chance from 0 to 1 (or 0% to 100%)"));
  EXPECT_THAT(ParseFault("latency"), StatusIs(absl::StatusCode::kInvalidArgument, "latency: missing DURATION"));
  EXPECT_THAT(ParseFault("bandwidth"), StatusIs(absl::StatusCode::kInvalidArgument, "bandwidth: missing SIZE"));
  EXPECT_THAT(ParseFault("bandwidth 0"), StatusIs(absl::StatusCode::kInvalidArgument, "bandwidth: must be more than 0"));
  EXPECT_THAT(ParseFault("latency 1s p=2"),
              StatusIs(absl::StatusCode::kInvalidArgument, "p=2: not a probability from 0 to 1"));
  EXPECT_THAT(ParseFault("latency 1s dir=left"),
              StatusIs(absl::StatusCode::kInvalidArgument, "dir=left: want up, down or both"));
  EXPECT_THAT(ParseFault("timeout 1s jitter=1s"),
              StatusIs(absl::StatusCode::kInvalidArgument, "unknown setting 'jitter' for timeout (dir=, p=, name=)"));
  EXPECT_THAT(ParseFault("latency 1s 2s"),
              StatusIs(absl::StatusCode::kInvalidArgument, "unexpected '2s' (settings are KEY=VALUE)"));
  EXPECT_THAT(ParseFault(""), StatusIs(absl::StatusCode::kInvalidArgument, "empty fault (want e.g. 'latency 100ms')"));
}

TEST(FaultTest, ShapingCombinesFaultsPerDirection) {
  Fault a = *ParseFault("latency 100ms dir=both");
  Fault b = *ParseFault("latency 50ms jitter=5ms name=b");
  Fault c = *ParseFault("bandwidth 1000 dir=up");
  Fault d = *ParseFault("bandwidth 500 dir=up name=d");
  Fault e = *ParseFault("limit-data 10");
  Fault t = *ParseFault("timeout 0 dir=up");
  relay::Shaping down = ShapingFor({&a, &b, &c, &d, &e, &t}, kDown);
  EXPECT_EQ(down.latency, absl::Milliseconds(150));
  EXPECT_EQ(down.jitter, absl::Milliseconds(5));
  EXPECT_EQ(down.rate, 0u);
  EXPECT_EQ(down.limit, 10u);
  EXPECT_FALSE(down.hold);
  relay::Shaping up = ShapingFor({&a, &b, &c, &d, &e, &t}, kUp);
  EXPECT_EQ(up.latency, absl::Milliseconds(100));
  EXPECT_EQ(up.rate, 500u);
  EXPECT_FALSE(up.limit.has_value());
  EXPECT_TRUE(up.hold);
}

TEST(FaultTest, DatagramFaultsParseAndFitOnlyTheirSessions) {
  for (const char* text : {"loss 0.1 dir=down p=1 name=loss", "duplicate 0.05 dir=up p=1 name=duplicate",
                           "reorder 0.25 dir=both p=0.5 name=reorder"}) {
    absl::StatusOr<Fault> f = ParseFault(text);
    ASSERT_THAT(f, IsOk()) << text;
    EXPECT_EQ(FormatFault(*f), text);
    EXPECT_THAT(FitsSessions(*f, true), IsOk());
    EXPECT_THAT(FitsSessions(*f, false),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         std::string(FaultKindName(f->kind)) + " acts on datagram sessions (a udp: or unix-dgram: FROM)"));
  }
  EXPECT_EQ(ParseFault("loss 10%")->chance, 0.1);
  EXPECT_THAT(FitsSessions(*ParseFault("latency 1s"), true), IsOk());
  EXPECT_THAT(FitsSessions(*ParseFault("bandwidth 1K"), true), IsOk());
  EXPECT_THAT(FitsSessions(*ParseFault("slow-close 1s"), true),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "slow-close acts on stream sessions (a datagram FROM takes latency, bandwidth, loss, duplicate, "
                       "reorder)"));
}

TEST(FaultTest, DatagramShapingCombinesChances) {
  Fault a = *ParseFault("loss 0.5");
  Fault b = *ParseFault("loss 0.5 name=b");
  Fault c = *ParseFault("latency 10ms dir=both");
  Fault d = *ParseFault("reorder 1 dir=up");
  relay::DatagramShaping down = DatagramShapingFor({&a, &b, &c, &d}, kDown);
  EXPECT_DOUBLE_EQ(down.loss, 0.75);
  EXPECT_EQ(down.latency, absl::Milliseconds(10));
  EXPECT_EQ(down.reorder, 0);
  relay::DatagramShaping up = DatagramShapingFor({&a, &b, &c, &d}, kUp);
  EXPECT_EQ(up.loss, 0);
  EXPECT_EQ(up.reorder, 1);
}

}  // namespace
}  // namespace ipckit::relay_tool
