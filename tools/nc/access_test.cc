#include "tools/nc/access.h"

#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::nc {
namespace {

using ::ipckit::testing::StatusIs;

net::SocketAddress Addr(const char* host) { return *net::SocketAddress::Numeric(host, 1234); }

TEST(AccessListTest, MatchesAddressesAndBlocks) {
  absl::StatusOr<AccessList> l = AccessList::Parse("--allow", {"10.0.0.0/8,192.0.2.7", "fd00::/8"});
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_TRUE(l->Matches(Addr("10.1.2.3")));
  EXPECT_TRUE(l->Matches(Addr("192.0.2.7")));
  EXPECT_FALSE(l->Matches(Addr("192.0.2.8")));
  EXPECT_TRUE(l->Matches(Addr("fd12::1")));
  EXPECT_FALSE(l->Matches(Addr("fe80::1")));
  EXPECT_TRUE(l->Matches(Addr("::ffff:10.9.9.9")));  // An IPv4 client on a dual-stack listener.
}

TEST(AccessListTest, AllowedNeedsAllowAndNotDeny) {
  AccessList none = *AccessList::Parse("--allow", {});
  AccessList loop = *AccessList::Parse("--deny", {"127.0.0.0/8"});
  EXPECT_TRUE(Allowed(none, none, Addr("127.0.0.1")));
  EXPECT_FALSE(Allowed(none, loop, Addr("127.0.0.1")));
  EXPECT_FALSE(Allowed(loop, none, Addr("::1")));
  EXPECT_TRUE(Allowed(loop, none, Addr("127.0.0.2")));
}

TEST(AccessListTest, RejectsBadEntries) {
  EXPECT_THAT(AccessList::Parse("--allow", {"10.0.0.0/33"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "--allow: invalid entry '10.0.0.0/33'"));
  EXPECT_THAT(AccessList::Parse("--deny", {"host/8"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "--deny: invalid entry 'host/8'"));
}

TEST(AccessListTest, ParseLeavesNamesToResolve) {
  absl::StatusOr<AccessList> l = AccessList::Parse("--allow", {"no-such-host.invalid,10.0.0.0/8"});
  ASSERT_TRUE(l.ok()) << l.status();  // No DNS yet.
  EXPECT_FALSE(l->empty());
  EXPECT_THAT(l->Resolve(true), StatusIs(absl::StatusCode::kInvalidArgument,
                                         "--allow: resolve no-such-host.invalid: not a numeric address (-n)"));
  EXPECT_THAT(AccessList::Parse("--allow", {"::1/129"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "--allow: invalid entry '::1/129'"));
}

TEST(AccessListTest, NamesResolve) {
  absl::StatusOr<AccessList> l = AccessList::Parse("--allow", {"localhost"});
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_FALSE(l->Matches(Addr("127.0.0.1")));  // Not until resolved.
  ASSERT_TRUE(l->Resolve(false).ok());
  EXPECT_TRUE(l->Matches(Addr("127.0.0.1")));
}

}  // namespace
}  // namespace ipckit::nc
