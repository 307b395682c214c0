// echod's tool contract: a Plan is made from argv (DeclareOptions, then
// Validate) without opening a file or asking DNS.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/argv.h"
#include "lib/testing/status_matchers.h"
#include "tools/echod/echod.h"

namespace ipckit::echod {
namespace {

using ::absl::StatusCode;
using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;

// PlanFrom parses `args` as echod's command line and validates it.
absl::StatusOr<Plan> PlanFrom(std::vector<std::string> args) {
  return testing::ToolPlan<Options, Plan>(
      ToolInfo(), DeclareOptions, std::move(args),
      [](Options& o, std::vector<std::string> rest) { return Validate(o, rest, {}); });
}

TEST(EchodPlanTest, NamesAndFilesWaitForRun) {
  absl::StatusOr<Plan> p = PlanFrom({"-l", "tls:name.invalid:0", "-u", "[::1]:0", "--cert", "/nonexistent/c.pem",
                                     "--key", "/nonexistent/k.pem", "--workers", "2"});
  ASSERT_THAT(p, IsOk());
  ASSERT_EQ(p->server.listeners.size(), 2u);
  EXPECT_EQ(p->server.listeners[0].host, "name.invalid");  // Run resolves it; tests stay off DNS.
  EXPECT_TRUE(p->server.listeners[0].tls);
  EXPECT_EQ(p->server.listeners[1].address.ToString(), "[::1]:0");
  ASSERT_TRUE(p->tls.has_value());
}

TEST(EchodPlanTest, UsageErrors) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{}, "no listeners: give -l, -u, -U or --unix-dgram (or LISTEN_FDS)"},
      {{"-l", "127.0.0.1:0", "extra"}, "unexpected argument 'extra'"},
      {{"-l", "127.0.0.1"}, "invalid listener '127.0.0.1': expected HOST:PORT or [IPV6]:PORT"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(PlanFrom(c.args), StatusIs(StatusCode::kInvalidArgument, c.message)) << c.message;
  }
}

}  // namespace
}  // namespace ipckit::echod
