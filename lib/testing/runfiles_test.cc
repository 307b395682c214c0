#include "lib/testing/runfiles.h"

#include <unistd.h>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::testing {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;

TEST(RunfilesTest, FindsDeclaredDataDependency) {
  absl::StatusOr<std::string> path = Runfile("lib/testing/run_e2e.sh");
  ASSERT_THAT(path, IsOk());
  EXPECT_THAT(*path, EndsWith("/lib/testing/run_e2e.sh"));
  EXPECT_EQ(::access(path->c_str(), X_OK), 0);
}

TEST(RunfilesTest, MissingFileIsNotFound) {
  EXPECT_THAT(Runfile("tools/no_such_tool"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("runfile tools/no_such_tool not found (looked in ")));
}

}  // namespace
}  // namespace ipckit::testing
