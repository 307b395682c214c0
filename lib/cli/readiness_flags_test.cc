#include "lib/cli/readiness_flags.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/testing/argv.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::cli {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;

absl::Status Parse(ReadinessFlags& group, std::vector<std::string> args) {
  return testing::ParseArgv([&](Parser& p) { group.Declare(p); }, std::move(args)).status();
}

TEST(ReadinessFlagsTest, ParsesAndRefusesTheStandardDescriptors) {
  ReadinessFlags r;
  ASSERT_THAT(Parse(r, {"--port-file", "p", "--ready-fd", "5", "--json"}), IsOk());
  EXPECT_EQ(r.plan().port_file, "p");
  EXPECT_EQ(r.plan().ready_fd, 5);
  EXPECT_TRUE(r.plan().json);
  ReadinessFlags none;
  ASSERT_THAT(Parse(none, {}), IsOk());
  EXPECT_EQ(none.plan().ready_fd, -1);
  ReadinessFlags stdout_fd;
  EXPECT_THAT(Parse(stdout_fd, {"--ready-fd", "1"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "--ready-fd: '1' is out of range (3 to 1048576)"));
}

}  // namespace
}  // namespace ipckit::cli
