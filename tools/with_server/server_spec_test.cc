#include "tools/with_server/server_spec.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::with_server {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

TEST(ServerSpecTest, Parses) {
  absl::StatusOr<ServerSpec> s = ParseServerSpec("ECHO=echod  -l 127.0.0.1:0");
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->name, "ECHO");
  EXPECT_EQ(s->listeners, 1);
  EXPECT_THAT(s->command, ElementsAre("echod", "-l", "127.0.0.1:0"));
  EXPECT_FALSE(s->uses_port_file);
  s = ParseServerSpec("NC_1:3=nc -l 0 --port-file {port_file}");
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->name, "NC_1");
  EXPECT_EQ(s->listeners, 3);
  EXPECT_TRUE(s->uses_port_file);
  s = ParseServerSpec("S=sh:exec server --name 'a b' > /dev/null");
  ASSERT_THAT(s, IsOk());
  EXPECT_THAT(s->command, ElementsAre("/bin/sh", "-c", "exec server --name 'a b' > /dev/null"));
}

TEST(ServerSpecTest, RejectsBadSpecs) {
  EXPECT_THAT(ParseServerSpec("echod"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                 "--server 'echod': expected NAME[:N]=COMMAND"));
  EXPECT_THAT(ParseServerSpec("echo=x"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                  "--server 'echo=x': NAME must be [A-Z][A-Z0-9_]*"));
  EXPECT_THAT(ParseServerSpec("E:0=x"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                 "--server 'E:0=x': N (listeners to wait for) must be 1 to 64"));
  EXPECT_THAT(ParseServerSpec("E=  "), StatusIs(absl::StatusCode::kInvalidArgument, "--server 'E=  ': empty COMMAND"));
}


TEST(ServerSpecTest, ReferencesNameEarlierServersAndTheirListeners) {
  auto servers = [](std::vector<std::string> specs) {
    std::vector<ServerSpec> out;
    for (const std::string& s : specs) out.push_back(*ParseServerSpec(s));
    return out;
  };
  EXPECT_THAT(CheckReferences(servers({"A:2=a {port_file}", "B=b {A_ADDR} {A_PORT_1} ${HOME} {awk_thing} {X}"})),
              IsOk());
  EXPECT_THAT(CheckReferences(servers({"B=b {A_ADDR}", "A=a"})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--server B: {A_ADDR} names A, which starts after B (servers start in the order given)"));
  EXPECT_THAT(CheckReferences(servers({"A=a {A_PORT}"})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--server A: {A_PORT} names A, which starts with it (its own address is {port} or "
                       "{port_file}) (servers start in the order given)"));
  EXPECT_THAT(CheckReferences(servers({"A=a", "B=sh:b {NOPE_HOST}"})),
              StatusIs(absl::StatusCode::kInvalidArgument, "--server B: {NOPE_HOST} names no server"));
  EXPECT_THAT(CheckReferences(servers({"A=a", "B=b {A_ADDR_1}"})),
              StatusIs(absl::StatusCode::kInvalidArgument, "--server B: {A_ADDR_1}: A has 1 listener"));
}

TEST(ServerSpecTest, EnvironmentPerListener) {
  EXPECT_THAT(AddressEnvironment("ECHO", 0, "127.0.0.1:4000"),
              UnorderedElementsAre(Pair("ECHO_ADDR", "127.0.0.1:4000"), Pair("ECHO_HOST", "127.0.0.1"),
                                   Pair("ECHO_PORT", "4000"), Pair("ECHO_ADDR_0", "127.0.0.1:4000"),
                                   Pair("ECHO_HOST_0", "127.0.0.1"), Pair("ECHO_PORT_0", "4000")));
  EXPECT_THAT(AddressEnvironment("E", 1, "[::1]:7"),
              UnorderedElementsAre(Pair("E_ADDR_1", "[::1]:7"), Pair("E_HOST_1", "::1"), Pair("E_PORT_1", "7")));
  EXPECT_THAT(AddressEnvironment("U", 0, "/tmp/x.sock"),
              UnorderedElementsAre(Pair("U_ADDR", "/tmp/x.sock"), Pair("U_SOCKET", "/tmp/x.sock"),
                                   Pair("U_ADDR_0", "/tmp/x.sock"), Pair("U_SOCKET_0", "/tmp/x.sock")));
}

}  // namespace
}  // namespace ipckit::with_server
