#include "lib/tls/ocsp.h"

#include <fcntl.h>

#include <string>

#include "gtest/gtest.h"
#include "lib/io/fd.h"
#include "lib/io/unique_fd.h"
#include "lib/testing/runfiles.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::tls {
namespace {

using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::StatusIs;

std::string ReadTestdata(const std::string& name) {
  absl::StatusOr<std::string> path = ipckit::testing::Runfile("testdata/tls/" + name);
  EXPECT_TRUE(path.ok());
  io::UniqueFd fd(::open(path->c_str(), O_RDONLY | O_CLOEXEC));
  absl::StatusOr<std::string> data = io::ReadToEnd(fd.get());
  EXPECT_TRUE(data.ok()) << data.status();
  return data.ok() ? *data : "";
}

// The three responses were made by `openssl ocsp` (testdata/tls/generate.sh),
// which agrees: openssl ocsp -respin F -resp_text -noverify.
TEST(OcspTest, ReadsTheCertificateStatus) {
  EXPECT_THAT(OcspCertStatus(ReadTestdata("ocsp-good.der")), IsOkAndHolds("good"));
  EXPECT_THAT(OcspCertStatus(ReadTestdata("ocsp-revoked.der")), IsOkAndHolds("revoked"));
  EXPECT_THAT(OcspCertStatus(ReadTestdata("ocsp-unknown.der")), IsOkAndHolds("unknown"));
}

TEST(OcspTest, ReportsAnUnsuccessfulResponder) {
  // OCSPResponse { responseStatus tryLater(3) }.
  EXPECT_THAT(OcspCertStatus(std::string("\x30\x03\x0a\x01\x03", 5)), IsOkAndHolds("tryLater"));
  EXPECT_THAT(OcspCertStatus(std::string("\x30\x03\x0a\x01\x06", 5)), IsOkAndHolds("unauthorized"));
  EXPECT_THAT(OcspCertStatus(std::string("\x30\x03\x0a\x01\x09", 5)),
              StatusIs(absl::StatusCode::kInvalidArgument, "OCSP response: bad responseStatus"));
}

TEST(OcspTest, RejectsTruncatedAndTrailingBytes) {
  std::string good = ReadTestdata("ocsp-good.der");
  for (size_t cut : {size_t{0}, size_t{1}, size_t{5}, good.size() / 2, good.size() - 1}) {
    EXPECT_FALSE(OcspCertStatus(good.substr(0, cut)).ok()) << cut;
  }
  EXPECT_THAT(OcspCertStatus(good + "x"),
              StatusIs(absl::StatusCode::kInvalidArgument, "OCSP response: bad outer sequence"));
  // Success status with no responseBytes.
  EXPECT_THAT(OcspCertStatus(std::string("\x30\x03\x0a\x01\x00", 5)),
              StatusIs(absl::StatusCode::kInvalidArgument, "OCSP response: bad responseBytes"));
}

TEST(OcspTest, CountsScts) {
  EXPECT_THAT(SctCount(std::string("\x00\x00", 2)), IsOkAndHolds(0u));
  EXPECT_THAT(SctCount(std::string("\x00\x07\x00\x02" "ab" "\x00\x01x", 9)), IsOkAndHolds(2u));
  EXPECT_THAT(SctCount(std::string("\x00\x05\x00\x04" "ab", 6)),
              StatusIs(absl::StatusCode::kInvalidArgument, "SCT list: bad length"));
  EXPECT_THAT(SctCount(std::string("\x00\x02\x00\x00", 4)),
              StatusIs(absl::StatusCode::kInvalidArgument, "SCT list: bad length"));
  EXPECT_THAT(SctCount(""), StatusIs(absl::StatusCode::kInvalidArgument, "SCT list: bad length"));
}

}  // namespace
}  // namespace ipckit::tls
