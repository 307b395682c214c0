// End-to-end and unit tests of selfcheck, the toolchain demo.
#include "tools/selfcheck/selfcheck.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/runfiles.h"
#include "lib/testing/status_matchers.h"
#include "lib/testing/subprocess.h"

namespace ipckit::selfcheck {
namespace {

using ::ipckit::testing::ExitStatus;
using ::ipckit::testing::IsOk;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::Runfile;
using ::ipckit::testing::StatusIs;
using ::ipckit::testing::Subprocess;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr absl::Duration kTimeout = absl::Seconds(30);

TEST(SelfcheckTest, RunRoundTripsThroughVerifiedTls) {
  Options opts;
  opts.bytes = 100000;  // Not a multiple of the chunk size.
  std::ostringstream out;
  ASSERT_THAT(selfcheck::Run(opts, out), IsOk());
  EXPECT_THAT(out.str(), StartsWith("selfcheck: OpenSSL 1.1.1 (compatible; BoringSSL)"));
  EXPECT_THAT(out.str(), ContainsRegex("listening on 127\\.0\\.0\\.1:[1-9][0-9]*\n"));
  EXPECT_THAT(out.str(), HasSubstr("server certificate verified for 127.0.0.1\n"));
  EXPECT_THAT(out.str(), HasSubstr("100000 bytes there and back, sha256 "));
  EXPECT_THAT(out.str(), HasSubstr("selfcheck: OK\n"));
}

TEST(SelfcheckTest, ZeroBytesStillHandshakes) {
  Options opts;
  opts.bytes = 0;
  std::ostringstream out;
  ASSERT_THAT(selfcheck::Run(opts, out), IsOk());
  EXPECT_THAT(out.str(), HasSubstr("TLSv1.3"));
}

TEST(SelfcheckTest, ValidateRejectsNonPositiveTimeout) {
  Options opts;
  opts.timeout = absl::ZeroDuration();
  EXPECT_THAT(Validate(opts),
              StatusIs(absl::StatusCode::kInvalidArgument, "--timeout must be positive"));
}

class SelfcheckBinaryTest : public ::testing::Test {
 protected:
  absl::StatusOr<Subprocess> Start(std::vector<std::string> args) {
    absl::StatusOr<std::string> bin = Runfile("tools/selfcheck/selfcheck");
    if (!bin.ok()) return bin.status();
    args.insert(args.begin(), *bin);
    return Subprocess::Start(args);
  }
};

TEST_F(SelfcheckBinaryTest, SucceedsAndPrintsOk) {
  absl::StatusOr<Subprocess> p = Start({"--bytes=256K", "-t", "5s"});
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_THAT(p->out(), HasSubstr("262144 bytes there and back"));
  EXPECT_THAT(p->out(), HasSubstr("selfcheck: OK\n"));
  EXPECT_EQ(p->err(), "");
}

TEST_F(SelfcheckBinaryTest, HelpExitsZero) {
  absl::StatusOr<Subprocess> p = Start({"--help"});
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_THAT(p->out(), StartsWith("Usage: selfcheck [--bytes=SIZE] [--timeout=DURATION]\n"));
  EXPECT_THAT(p->out(), HasSubstr("  -b, --bytes=SIZE "));
  EXPECT_THAT(p->out(), HasSubstr("  -t, --timeout=DURATION "));
}

TEST_F(SelfcheckBinaryTest, VersionExitsZero) {
  absl::StatusOr<Subprocess> p = Start({"--version"});
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_THAT(p->out(), StartsWith("selfcheck (ipckit) "));
}

TEST_F(SelfcheckBinaryTest, BadSizeIsUsageError) {
  absl::StatusOr<Subprocess> p = Start({"--bytes=lots"});
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(2)));
  EXPECT_EQ(p->err(),
            "selfcheck: -b/--bytes: invalid size 'lots' (use e.g. 512, 64K, 1M, 2G)\n"
            "Try 'selfcheck --help'.\n");
  EXPECT_EQ(p->out(), "");
}

TEST_F(SelfcheckBinaryTest, ZeroTimeoutIsUsageError) {
  absl::StatusOr<Subprocess> p = Start({"--timeout=0"});
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(2)));
  EXPECT_EQ(p->err(), "selfcheck: --timeout must be positive\nTry 'selfcheck --help'.\n");
}

TEST_F(SelfcheckBinaryTest, StrayArgumentIsUsageError) {
  absl::StatusOr<Subprocess> p = Start({"extra"});
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(2)));
  EXPECT_EQ(p->err(), "selfcheck: unexpected argument 'extra'\nTry 'selfcheck --help'.\n");
}

}  // namespace
}  // namespace ipckit::selfcheck
