#include "lib/net/address.h"

#include <sys/un.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::net {
namespace {

using ::absl::StatusCode;
using ::ipckit::testing::IsOk;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::AllOf;

auto IsHostPort(const char* host, const char* port) {
  return IsOkAndHolds(AllOf(Field(&HostPort::host, host), Field(&HostPort::port, port)));
}

TEST(AddressTest, SplitHostPortForms) {
  EXPECT_THAT(SplitHostPort("example.org:80"), IsHostPort("example.org", "80"));
  EXPECT_THAT(SplitHostPort("127.0.0.1:0"), IsHostPort("127.0.0.1", "0"));
  EXPECT_THAT(SplitHostPort("[::1]:8080"), IsHostPort("::1", "8080"));
  EXPECT_THAT(SplitHostPort(":7"), IsHostPort("", "7"));
  EXPECT_THAT(SplitHostPort("host:http"), IsHostPort("host", "http"));
}

TEST(AddressTest, SplitHostPortRejectsMalformed) {
  for (const char* bad : {"", "host", "host:", "::1:80", "[::1]", "[::1]80", "[]:80", "[::1]:"}) {
    EXPECT_THAT(SplitHostPort(bad),
                StatusIs(StatusCode::kInvalidArgument,
                         absl::StrCat("invalid address '", bad, "': expected HOST:PORT or [IPV6]:PORT")))
        << bad;
  }
}

TEST(AddressTest, ParsePortNumbersAndServices) {
  EXPECT_THAT(ParsePort("0"), IsOkAndHolds(0));
  EXPECT_THAT(ParsePort("65535"), IsOkAndHolds(65535));
  for (const char* bad : {"", "65536", "-1", "80x", "999999", "+80", "no-such-service-xyz"}) {
    EXPECT_THAT(ParsePort(bad), StatusIs(StatusCode::kInvalidArgument,
                                         absl::StrCat("invalid port '", bad, "'")))
        << bad;
  }
}

TEST(AddressTest, ParsePortListExpandsRanges) {
  EXPECT_THAT(ParsePortList("20-22,80"), IsOkAndHolds(ElementsAre(20, 21, 22, 80)));
  EXPECT_THAT(ParsePortList("80,80,79-80"), IsOkAndHolds(ElementsAre(80, 79)));
  EXPECT_THAT(ParsePortList("7"), IsOkAndHolds(ElementsAre(7)));
  EXPECT_THAT(ParsePortList("65535-65535"), IsOkAndHolds(ElementsAre(65535)));
}

TEST(AddressTest, ParsePortListReadsReversedRangesAscending) {
  EXPECT_THAT(ParsePortList("22-20"), IsOkAndHolds(ElementsAre(20, 21, 22)));
}

TEST(AddressTest, ParsePortListRejectsBadRanges) {
  EXPECT_THAT(ParsePortList("1-70000"),
              StatusIs(StatusCode::kInvalidArgument, "invalid port range '1-70000'"));
  EXPECT_THAT(ParsePortList("1-"), StatusIs(StatusCode::kInvalidArgument, "invalid port range '1-'"));
  EXPECT_THAT(ParsePortList("80,,81"), StatusIs(StatusCode::kInvalidArgument, "invalid port ''"));
  EXPECT_THAT(ParsePortList(""), StatusIs(StatusCode::kInvalidArgument, "invalid port ''"));
}

TEST(AddressTest, UnmappedTurnsV4MappedIntoV4) {
  SocketAddress mapped = *SocketAddress::Numeric("::ffff:192.0.2.7", 80);
  EXPECT_EQ(mapped.Unmapped().ToString(), "192.0.2.7:80");
  EXPECT_EQ(SocketAddress::Numeric("::1", 80)->Unmapped().ToString(), "[::1]:80");
  EXPECT_EQ(SocketAddress::Numeric("127.0.0.1", 80)->Unmapped().ToString(), "127.0.0.1:80");
}

TEST(AddressTest, NumericAddressesPrint) {
  absl::StatusOr<SocketAddress> v4 = SocketAddress::Numeric("127.0.0.1", 80);
  ASSERT_THAT(v4, IsOk());
  EXPECT_EQ(v4->family(), AF_INET);
  EXPECT_EQ(v4->ToString(), "127.0.0.1:80");
  EXPECT_EQ(v4->port(), 80);
  absl::StatusOr<SocketAddress> v6 = SocketAddress::Numeric("[::1]", 443);
  ASSERT_THAT(v6, IsOk());
  EXPECT_EQ(v6->family(), AF_INET6);
  EXPECT_EQ(v6->ToString(), "[::1]:443");
  v6->set_port(8443);
  EXPECT_EQ(v6->ToString(), "[::1]:8443");
  EXPECT_THAT(SocketAddress::Numeric("localhost", 1),
              StatusIs(StatusCode::kInvalidArgument, "not a numeric address: 'localhost'"));
}

TEST(AddressTest, UnixPathsAndAbstractNames) {
  absl::StatusOr<SocketAddress> path = SocketAddress::Unix("/tmp/x.sock");
  ASSERT_THAT(path, IsOk());
  EXPECT_TRUE(path->is_unix());
  EXPECT_FALSE(path->IsAbstract());
  EXPECT_EQ(path->ToString(), "/tmp/x.sock");
  EXPECT_EQ(path->port(), 0);
  absl::StatusOr<SocketAddress> abstract = SocketAddress::Unix("@ipckit-test");
  ASSERT_THAT(abstract, IsOk());
  EXPECT_TRUE(abstract->IsAbstract());
  EXPECT_EQ(abstract->ToString(), "@ipckit-test");
  EXPECT_EQ(abstract->size(), offsetof(struct sockaddr_un, sun_path) + 12);
}

TEST(AddressTest, UnixRejectsEmptyAndLongPaths) {
  EXPECT_THAT(SocketAddress::Unix(""), StatusIs(StatusCode::kInvalidArgument, "empty unix socket path"));
  std::string long_path(108, 'x');
  EXPECT_THAT(SocketAddress::Unix(long_path),
              StatusIs(StatusCode::kInvalidArgument,
                       "unix path too long (max 107 bytes): " + long_path));
}

TEST(AddressTest, ResolveNumericLiterals) {
  ResolveOptions numeric;
  numeric.numeric = true;
  absl::StatusOr<std::vector<SocketAddress>> r = Resolve("127.0.0.1", 9, numeric);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].ToString(), "127.0.0.1:9");
  r = Resolve("[::1]", 9, numeric);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ((*r)[0].ToString(), "[::1]:9");
}

TEST(AddressTest, ResolveNumericRejectsNames) {
  ResolveOptions numeric;
  numeric.numeric = true;
  EXPECT_THAT(Resolve("localhost", 9, numeric),
              StatusIs(StatusCode::kInvalidArgument, "resolve localhost: not a numeric address (-n)"));
}

TEST(AddressTest, ResolveLocalhostByFamily) {
  ResolveOptions v4;
  v4.family = Family::kIPv4;
  absl::StatusOr<std::vector<SocketAddress>> r = Resolve("localhost", 5, v4);
  ASSERT_THAT(r, IsOk());
  ASSERT_FALSE(r->empty());
  for (const SocketAddress& a : *r) EXPECT_EQ(a.family(), AF_INET);
  EXPECT_EQ((*r)[0].ToString(), "127.0.0.1:5");
}

TEST(AddressTest, ResolveFamilyMismatchFails) {
  ResolveOptions v6;
  v6.family = Family::kIPv6;
  v6.numeric = true;
  EXPECT_THAT(Resolve("127.0.0.1", 5, v6), StatusIs(StatusCode::kNotFound));
}

TEST(AddressTest, ResolveUnknownNameIsNotFound) {
  EXPECT_THAT(Resolve("no-such-host.invalid", 5, ResolveOptions()),
              StatusIs(StatusCode::kNotFound, ::testing::StartsWith("resolve no-such-host.invalid: ")));
}

TEST(AddressTest, ResolveListenLeavesNamesForLater) {
  absl::StatusOr<SocketAddress> a = ResolveListen("127.0.0.1", 80, SOCK_DGRAM, true);
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->ToString(), "127.0.0.1:80");
  EXPECT_EQ(ResolveListen("localhost", 80, SOCK_STREAM, true).status().code(), absl::StatusCode::kInvalidArgument);
  a = ResolveListen("localhost", 80, SOCK_STREAM, false);
  ASSERT_THAT(a, IsOk());
  EXPECT_TRUE(a->ToString() == "127.0.0.1:80" || a->ToString() == "[::1]:80") << a->ToString();
}

TEST(AddressTest, PassiveEmptyHostIsWildcardDualStackFirst) {
  ResolveOptions passive;
  passive.passive = true;
  absl::StatusOr<std::vector<SocketAddress>> r = Resolve("", 80, passive);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].ToString(), "[::]:80");
  EXPECT_EQ((*r)[1].ToString(), "0.0.0.0:80");
  passive.family = Family::kIPv4;
  r = Resolve("", 80, passive);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].ToString(), "0.0.0.0:80");
}

}  // namespace
}  // namespace ipckit::net
