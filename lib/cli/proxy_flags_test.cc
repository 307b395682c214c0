#include "lib/cli/proxy_flags.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/testing/argv.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::cli {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;

void Parse(ProxyFlags& group, std::vector<std::string> args) {
  ASSERT_THAT(testing::ParseArgv([&](Parser& p) { group.Declare(p); }, std::move(args)), IsOk());
}

TEST(ProxyFlagsTest, DefaultsPerToolAndPortPerProtocol) {
  ProxyFlags http(net::ProxyProtocol::kHttpConnect);
  Parse(http, {"--proxy", "proxy.example", "--proxy-auth", "al:pw"});
  absl::StatusOr<std::optional<ProxyPlan>> p = http.Validate();
  ASSERT_THAT(p, IsOk());
  ASSERT_TRUE(p->has_value());
  EXPECT_EQ((*p)->host, "proxy.example");
  EXPECT_EQ((*p)->port, 3128);
  EXPECT_EQ((*p)->protocol, net::ProxyProtocol::kHttpConnect);
  EXPECT_EQ((*p)->user, "al");
  EXPECT_EQ((*p)->password, "pw");
  ProxyFlags socks(net::ProxyProtocol::kSocks5);
  Parse(socks, {"--proxy", "[::1]", "--proxy-auth", "al"});
  p = socks.Validate();
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ((*p)->host, "[::1]");
  EXPECT_EQ((*p)->port, 1080);
  EXPECT_EQ((*p)->password, std::nullopt);  // A user alone: the tool asks, or refuses.
  ProxyFlags typed(net::ProxyProtocol::kSocks5);
  Parse(typed, {"--proxy", "127.0.0.1:8080", "--proxy-type", "CONNECT"});
  p = typed.Validate();
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ((*p)->protocol, net::ProxyProtocol::kHttpConnect);
  EXPECT_EQ((*p)->port, 8080);
}

TEST(ProxyFlagsTest, OneSetOfMessages) {
  ProxyFlags none(net::ProxyProtocol::kSocks5);
  Parse(none, {});
  EXPECT_THAT(none.Validate(), IsOk());
  ProxyFlags stray(net::ProxyProtocol::kSocks5);
  Parse(stray, {"--proxy-type", "http"});
  EXPECT_THAT(stray.Validate(),
              StatusIs(absl::StatusCode::kInvalidArgument, "--proxy-type and --proxy-auth require --proxy"));
  ProxyFlags half(net::ProxyProtocol::kSocks5);
  Parse(half, {"--proxy", "127.0.0.1:"});
  EXPECT_THAT(half.Validate(),
              StatusIs(absl::StatusCode::kInvalidArgument, "--proxy: '127.0.0.1:' needs HOST or HOST:PORT"));
  ProxyFlags socks4(net::ProxyProtocol::kSocks5);
  Parse(socks4, {"--proxy", "p:1", "--proxy-type", "socks4"});
  EXPECT_THAT(socks4.Validate(), StatusIs(absl::StatusCode::kInvalidArgument,
                                          "--proxy-type: 'socks4' is not supported (use http or socks5)"));
  ProxyFlags nc(net::ProxyProtocol::kHttpConnect);
  Parse(nc, {});
  EXPECT_THAT(nc.ValidateFor("-x", ":1080", net::ProxyProtocol::kSocks5),
              StatusIs(absl::StatusCode::kInvalidArgument, "-x: ':1080' needs HOST or HOST:PORT"));
}

}  // namespace
}  // namespace ipckit::cli
