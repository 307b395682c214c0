#include "lib/cli/values.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::cli {
namespace {

using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::StatusIs;
using ::absl::StatusCode;

TEST(ParseIntTest, AcceptsDecimalIntegers) {
  EXPECT_THAT(ParseInt("0"), IsOkAndHolds(0));
  EXPECT_THAT(ParseInt("8080", 0, 65535), IsOkAndHolds(8080));
  EXPECT_THAT(ParseInt("-5", -10, 10), IsOkAndHolds(-5));
  EXPECT_THAT(ParseInt("9223372036854775807"), IsOkAndHolds(INT64_MAX));
}

TEST(ParseIntTest, RejectsNonIntegers) {
  for (const char* bad : {"", "abc", "12x", " 12", "12 ", "+5", "0x10", "1.5", "-"}) {
    EXPECT_THAT(ParseInt(bad), StatusIs(StatusCode::kInvalidArgument,
                                        absl::StrCat("invalid integer '", bad, "'")))
        << bad;
  }
}

TEST(ParseIntTest, RejectsOutOfRange) {
  EXPECT_THAT(ParseInt("70000", 0, 65535),
              StatusIs(StatusCode::kInvalidArgument, "'70000' is out of range (0 to 65535)"));
  EXPECT_THAT(ParseInt("-1", 0, 65535),
              StatusIs(StatusCode::kInvalidArgument, "'-1' is out of range (0 to 65535)"));
  EXPECT_THAT(ParseInt("99999999999999999999"),
              StatusIs(StatusCode::kInvalidArgument,
                       "'99999999999999999999' is out of range (-9223372036854775808 to "
                       "9223372036854775807)"));
}

TEST(ParseDurationTest, AcceptsUnits) {
  EXPECT_THAT(ParseDuration("250ms"), IsOkAndHolds(absl::Milliseconds(250)));
  EXPECT_THAT(ParseDuration("5s"), IsOkAndHolds(absl::Seconds(5)));
  EXPECT_THAT(ParseDuration("2m"), IsOkAndHolds(absl::Minutes(2)));
  EXPECT_THAT(ParseDuration("1h"), IsOkAndHolds(absl::Hours(1)));
  EXPECT_THAT(ParseDuration("10us"), IsOkAndHolds(absl::Microseconds(10)));
  EXPECT_THAT(ParseDuration("7ns"), IsOkAndHolds(absl::Nanoseconds(7)));
}

TEST(ParseDurationTest, BareNumberIsSeconds) {
  EXPECT_THAT(ParseDuration("5"), IsOkAndHolds(absl::Seconds(5)));
  EXPECT_THAT(ParseDuration("0"), IsOkAndHolds(absl::ZeroDuration()));
}

TEST(ParseDurationTest, FractionsAreExact) {
  EXPECT_THAT(ParseDuration("1.5s"), IsOkAndHolds(absl::Milliseconds(1500)));
  EXPECT_THAT(ParseDuration("0.1"), IsOkAndHolds(absl::Milliseconds(100)));
  EXPECT_THAT(ParseDuration(".25s"), IsOkAndHolds(absl::Milliseconds(250)));
  EXPECT_THAT(ParseDuration("1.5h"), IsOkAndHolds(absl::Minutes(90)));
}

TEST(ParseDurationTest, UnitsInARowAddUp) {
  EXPECT_THAT(ParseDuration("1h30m"), IsOkAndHolds(absl::Minutes(90)));
  EXPECT_THAT(ParseDuration("1s500ms"), IsOkAndHolds(absl::Milliseconds(1500)));
}

TEST(ParseDurationTest, InfIsInfinite) {
  EXPECT_THAT(ParseDuration("inf"), IsOkAndHolds(absl::InfiniteDuration()));
}

TEST(ParseDurationTest, RejectsMalformed) {
  for (const char* bad : {"", "s", "5x", "-1s", "+1s", "-inf", "1.2.3s", "5 s", "five", "5sec", ".", "1e3", "1h-5m"}) {
    EXPECT_THAT(ParseDuration(bad),
                StatusIs(StatusCode::kInvalidArgument,
                         absl::StrCat("invalid duration '", bad, "' (use e.g. 250ms, 5s, 2m, 1.5h)")))
        << bad;
  }
}

TEST(ParseDurationTest, RejectsOverflow) {
  EXPECT_THAT(ParseDuration("9223372036854775807h"),
              StatusIs(StatusCode::kInvalidArgument,
                       "duration '9223372036854775807h' is too large"));
}

TEST(ParseSizeTest, AcceptsBinaryUnits) {
  EXPECT_THAT(ParseSize("512"), IsOkAndHolds(512u));
  EXPECT_THAT(ParseSize("0"), IsOkAndHolds(0u));
  EXPECT_THAT(ParseSize("64K"), IsOkAndHolds(65536u));
  EXPECT_THAT(ParseSize("64k"), IsOkAndHolds(65536u));
  EXPECT_THAT(ParseSize("1M"), IsOkAndHolds(1048576u));
  EXPECT_THAT(ParseSize("1MiB"), IsOkAndHolds(1048576u));
  EXPECT_THAT(ParseSize("1MB"), IsOkAndHolds(1048576u));
  EXPECT_THAT(ParseSize("2G"), IsOkAndHolds(2147483648u));
  EXPECT_THAT(ParseSize("1T"), IsOkAndHolds(1099511627776u));
  EXPECT_THAT(ParseSize("100B"), IsOkAndHolds(100u));
}

TEST(ParseSizeTest, RejectsMalformed) {
  for (const char* bad : {"", "K", "1X", "1.5M", "-1", "1KX", "1 K", "1Kb2"}) {
    EXPECT_THAT(ParseSize(bad),
                StatusIs(StatusCode::kInvalidArgument,
                         absl::StrCat("invalid size '", bad, "' (use e.g. 512, 64K, 1M, 2G)")))
        << bad;
  }
}

TEST(ParseSizeTest, RejectsTooLarge) {
  EXPECT_THAT(ParseSize("5G", 4294967295u),
              StatusIs(StatusCode::kInvalidArgument, "size '5G' is too large (at most 4294967295)"));
  EXPECT_THAT(ParseSize("16777216T"),
              StatusIs(StatusCode::kInvalidArgument,
                       "size '16777216T' is too large (at most 18446744073709551615)"));
  EXPECT_THAT(ParseSize("99999999999999999999"),
              StatusIs(StatusCode::kInvalidArgument,
                       "size '99999999999999999999' is too large (at most 18446744073709551615)"));
  EXPECT_THAT(ParseSize("4294967295", 4294967295u), IsOkAndHolds(4294967295u));
}

}  // namespace
}  // namespace ipckit::cli
