// echobench's tool contract: a Plan is made from argv (DeclareOptions, then
// Validate) without asking DNS; --rate is parsed once, by Validate.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/testing/argv.h"
#include "lib/testing/status_matchers.h"
#include "tools/echobench/echobench.h"

namespace ipckit::echobench {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;

// PlanFrom parses `args` as echobench's command line and validates it.
absl::StatusOr<Plan> PlanFrom(std::vector<std::string> args) {
  return testing::ToolPlan<Options, Plan>(ToolInfo(), DeclareOptions, std::move(args),
                                          [](Options& o, std::vector<std::string> rest) {
                                            if (!rest.empty()) o.target = rest.front();
                                            return Validate(o);
                                          });
}

TEST(EchobenchPlanTest, TargetAndRateParsedNothingResolved) {
  absl::StatusOr<Plan> p = PlanFrom({"-c", "3", "--rate", "2500.5", "-d", "2s", "name.invalid:7007"});
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->host, "name.invalid");  // Run resolves it.
  EXPECT_EQ(p->port, 7007);
  EXPECT_EQ(p->settings.rate, 2500.5);
  EXPECT_EQ(p->settings.connections, 3);
  EXPECT_EQ(p->settings.duration, absl::Seconds(2));
}

TEST(EchobenchPlanTest, TlsClientFlagsAreLibCliGroup) {
  absl::StatusOr<Plan> p = PlanFrom({"--tls", "-k", "--ca-file", "/nonexistent/ca.pem", "--servername", "x.test", "h:1"});
  ASSERT_THAT(p, IsOk());  // The CA file is read by Run.
  EXPECT_TRUE(p->settings.insecure);
  EXPECT_EQ(p->settings.ca_file, "/nonexistent/ca.pem");
  EXPECT_EQ(p->settings.servername, "x.test");
}

TEST(EchobenchPlanTest, UsageErrors) {
  EXPECT_THAT(PlanFrom({"--rate", "fast", "h:1"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "--rate: invalid number 'fast'"));
  EXPECT_THAT(PlanFrom({"--rate", "-1", "h:1"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "--rate must not be negative"));
  EXPECT_THAT(PlanFrom({"--connect-only", "--rate", "5", "h:1"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "--connect-only cannot be used with -u or --rate"));
  EXPECT_THAT(PlanFrom({}), StatusIs(absl::StatusCode::kInvalidArgument, "missing target address"));
  EXPECT_THAT(PlanFrom({"-u", "--depth", "2", "h:1"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "--depth must be 1 with -u"));
  EXPECT_THAT(PlanFrom({"-k", "h:1"}),  // lib/cli's TLS client group and its message.
              StatusIs(absl::StatusCode::kInvalidArgument, "--ca-file, --servername and --insecure are for --tls"));
}

}  // namespace
}  // namespace ipckit::echobench
