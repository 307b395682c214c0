#include "lib/testing/status_matchers.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ipckit::testing {
namespace {

using ::absl::StatusCode;
using ::testing::HasSubstr;
using ::testing::Matches;
using ::testing::Not;

TEST(StatusMatchersTest, IsOkMatchesOnlyOk) {
  EXPECT_THAT(absl::OkStatus(), IsOk());
  EXPECT_THAT(absl::StatusOr<int>(3), IsOk());
  EXPECT_THAT(absl::UnknownError("x"), Not(IsOk()));
  EXPECT_THAT(absl::StatusOr<int>(absl::UnknownError("x")), Not(IsOk()));
}

TEST(StatusMatchersTest, StatusIsChecksCode) {
  absl::Status s = absl::UnavailableError("connect 127.0.0.1:9: Connection refused");
  EXPECT_THAT(s, StatusIs(StatusCode::kUnavailable));
  EXPECT_FALSE(Matches(StatusIs(StatusCode::kInternal))(s));
}

TEST(StatusMatchersTest, StatusIsChecksExactMessage) {
  absl::Status s = absl::UnavailableError("connect 127.0.0.1:9: Connection refused");
  EXPECT_THAT(s, StatusIs(StatusCode::kUnavailable, "connect 127.0.0.1:9: Connection refused"));
  EXPECT_FALSE(Matches(StatusIs(StatusCode::kUnavailable, "connect"))(s));
  EXPECT_THAT(s, StatusIs(StatusCode::kUnavailable, HasSubstr("refused")));
  EXPECT_FALSE(Matches(StatusIs(StatusCode::kUnavailable, HasSubstr("reset")))(s));
}

TEST(StatusMatchersTest, IsOkAndHoldsChecksValue) {
  EXPECT_THAT(absl::StatusOr<int>(5), IsOkAndHolds(5));
  EXPECT_FALSE(Matches(IsOkAndHolds(6))(absl::StatusOr<int>(5)));
  EXPECT_FALSE(Matches(IsOkAndHolds(5))(absl::StatusOr<int>(absl::UnknownError("x"))));
  EXPECT_THAT(absl::StatusOr<std::string>("abc"), IsOkAndHolds(HasSubstr("b")));
}

}  // namespace
}  // namespace ipckit::testing
