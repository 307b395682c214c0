// relay's tool contract: a Plan is made from argv (DeclareOptions, then
// Validate) without opening a file or asking DNS; what needs either waits
// for Prepare.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/argv.h"
#include "lib/testing/status_matchers.h"
#include "tools/relay/relay.h"

namespace ipckit::relay_tool {
namespace {

using ::absl::StatusCode;
using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;

// PlanFrom parses `args` as relay's command line and validates it.
absl::StatusOr<Plan> PlanFrom(std::vector<std::string> args) {
  return testing::ToolPlan<Options, Plan>(
      ToolInfo(), DeclareOptions, std::move(args),
      [](Options& o, std::vector<std::string> rest) { return Validate(o, rest, {}); });
}

TEST(RelayPlanTest, NamesAndFilesWaitForPrepare) {
  // A FROM and TO by name, and certificates that do not exist: Validate
  // neither resolves nor opens them.
  absl::StatusOr<Plan> p = PlanFrom({"tls:name.invalid:0", "upstream.invalid:80", "--cert", "/nonexistent/c.pem",
                                     "--key", "/nonexistent/k.pem"});
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->from.host, "name.invalid");
  EXPECT_EQ(p->to.host, "upstream.invalid");
  ASSERT_TRUE(p->server_tls.has_value());
  EXPECT_TRUE(p->loaded.to_addresses.empty());
  EXPECT_EQ(p->from.address.size(), 0u);  // Prepare resolves it (not called here: tests stay off DNS).
  p = PlanFrom({"[::1]:0", "127.0.0.1:80"});
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->from.address.ToString(), "[::1]:0");  // A numeric host is an address at once.
  EXPECT_EQ(p->from.host, "");
}

TEST(RelayPlanTest, ApiAloneAndBesideFrom) {
  absl::StatusOr<Plan> p = PlanFrom({"--api", "localhost:8474", "--config", "/nonexistent/toxiproxy.json"});
  ASSERT_THAT(p, IsOk());
  EXPECT_FALSE(p->has_from);
  EXPECT_TRUE(p->api);
  EXPECT_EQ(p->api_host, "localhost");
  EXPECT_EQ(p->api_port, 8474);
  EXPECT_EQ(p->config_path, "/nonexistent/toxiproxy.json");
  p = PlanFrom({"127.0.0.1:0", "127.0.0.1:1", "--api", ":0", "--no-splice"});
  ASSERT_THAT(p, IsOk());
  EXPECT_TRUE(p->has_from);
  EXPECT_TRUE(p->api);
  EXPECT_FALSE(p->splice);
}

TEST(RelayPlanTest, DatagramFaultsForDatagramSessionsOnly) {
  absl::StatusOr<Plan> p = PlanFrom({"udp:127.0.0.1:0", "udp:127.0.0.1:53", "--fault", "loss 10%", "--fault",
                                     "latency 50ms jitter=5ms dir=both"});
  ASSERT_THAT(p, IsOk());
  ASSERT_EQ(p->faults.size(), 2u);
  EXPECT_EQ(p->faults[0].chance, 0.1);
  EXPECT_THAT(PlanFrom({"127.0.0.1:0", "127.0.0.1:1", "--fault", "reorder 0.5"}),
              StatusIs(StatusCode::kInvalidArgument,
                       "--fault 'reorder 0.5': reorder acts on datagram sessions (a udp: or unix-dgram: FROM)"));
}

TEST(RelayPlanTest, UsageErrors) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{}, "need FROM and TO (e.g. relay 127.0.0.1:8080 127.0.0.1:80)"},
      {{"--api", "8474"}, "--api '8474': want HOST:PORT (toxiproxy's is localhost:8474)"},
      {{"--api", ":0", "--down"},
       "--fault, --down, --stall, --control, --proxy and --tls act on FROM: give FROM and TO (the API's proxies "
       "take toxics)"},
      {{"-", "127.0.0.1:1", "--config", "c.json"},
       "--fault, --down, --stall, --control, --max-conns, --workers, --api and --config are for listeners, not "
       "stdio"},
      {{"udp:127.0.0.1:0", "127.0.0.1:1"},
       "a udp: or unix-dgram: FROM needs a udp: or unix-dgram: TO, and the other way round (datagrams keep their "
       "boundaries)"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(PlanFrom(c.args), StatusIs(StatusCode::kInvalidArgument, c.message)) << c.message;
  }
}

}  // namespace
}  // namespace ipckit::relay_tool
