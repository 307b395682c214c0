#include "lib/cli/exit_code.h"

#include "gtest/gtest.h"

namespace ipckit::cli {
namespace {

TEST(ExitCodeTest, OkFailureAndRules) {
  constexpr ExitRule kRules[] = {{absl::StatusCode::kDeadlineExceeded, 3},
                                 {absl::StatusCode::kUnauthenticated, 4}};
  EXPECT_EQ(ExitCode(absl::OkStatus(), kRules), kExitOk);
  EXPECT_EQ(ExitCode(absl::DeadlineExceededError("connect"), kRules), 3);
  EXPECT_EQ(ExitCode(absl::UnauthenticatedError("verify"), kRules), 4);
  EXPECT_EQ(ExitCode(absl::UnavailableError("refused"), kRules), kExitFailure);
  EXPECT_EQ(ExitCode(absl::DeadlineExceededError("connect")), kExitFailure);
}

TEST(ExitCodeTest, ReportedKeepsCodeAndMessage) {
  absl::Status s = absl::UnavailableError("connect to x port 9 (tcp) failed: Connection refused");
  EXPECT_FALSE(IsReported(s));
  absl::Status r = Reported(s);
  EXPECT_TRUE(IsReported(r));
  EXPECT_EQ(r.code(), s.code());
  EXPECT_EQ(r.message(), s.message());
}

TEST(ExitCodeTest, ExitWithCarriesTheCodeThroughAnyRules) {
  EXPECT_TRUE(ExitWith(0).ok());
  absl::Status s = ExitWith(7);
  EXPECT_TRUE(IsReported(s));  // Said already: Finish prints nothing.
  EXPECT_EQ(ExitCode(s), 7);
  EXPECT_EQ(ExitCode(ExitWith(2), kUsageRules), 2);
  constexpr ExitRule kRules[] = {{absl::StatusCode::kUnknown, 9}};
  EXPECT_EQ(ExitCode(ExitWith(125), kRules), 125);
}

}  // namespace
}  // namespace ipckit::cli
