// with_server's tool contract: a Plan is made from argv (DeclareOptions,
// then Validate) without starting, opening or resolving anything.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/argv.h"
#include "lib/testing/status_matchers.h"
#include "tools/with_server/with_server.h"

namespace ipckit::with_server {
namespace {

using ::absl::StatusCode;
using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;

// PlanFrom parses `args` as with_server's command line and validates it.
absl::StatusOr<Plan> PlanFrom(std::vector<std::string> args) {
  return testing::ToolPlan<Options, Plan>(ToolInfo(), DeclareOptions, std::move(args),
                                          [](Options& o, std::vector<std::string> rest) {
                                            o.command = std::move(rest);
                                            return Validate(o);
                                          });
}

TEST(WithServerPlanTest, ServersInOrderWithTheirReadinessRules) {
  absl::StatusOr<Plan> p = PlanFrom({"--server", "ECHO:2=echod -l 127.0.0.1:0 -U {tmpdir}/e.sock", "--server",
                                     "HTTP=python3 -m http.server {port}", "--ready-http", "HTTP=/", "--may-exit",
                                     "ECHO", "--ready-timeout", "3s", "--", "sh", "-c", "true"});
  ASSERT_THAT(p, IsOk());
  ASSERT_EQ(p->servers.size(), 2u);
  EXPECT_EQ(p->servers[0].name, "ECHO");
  EXPECT_EQ(p->servers[0].listeners, 2);
  EXPECT_TRUE(p->servers[0].may_exit);
  EXPECT_TRUE(p->servers[1].uses_port);
  EXPECT_EQ(p->servers[1].http_path, "/");
  EXPECT_EQ(p->command, (std::vector<std::string>{"sh", "-c", "true"}));
  EXPECT_EQ(p->ready_timeout, absl::Seconds(3));
}

TEST(WithServerPlanTest, UsageErrors) {
  EXPECT_THAT(PlanFrom({"--server", "ECHO=echod -l 127.0.0.1:0"}),
              StatusIs(StatusCode::kInvalidArgument, "missing command after --"));
  EXPECT_THAT(PlanFrom({"--server", "ECHO=echod", "--server", "ECHO=echod", "--", "true"}),
              StatusIs(StatusCode::kInvalidArgument, "--server ECHO given twice"));
}

}  // namespace
}  // namespace ipckit::with_server
