#include "lib/tls/cert_info.h"

#include <openssl/pem.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/runfiles.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::tls {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

bssl::UniquePtr<X509> Load(const std::string& name) {
  absl::StatusOr<std::string> path = ipckit::testing::Runfile(absl::StrCat("testdata/tls/", name));
  if (!path.ok()) return nullptr;
  bssl::UniquePtr<BIO> bio(BIO_new_file(path->c_str(), "r"));
  if (!bio) return nullptr;
  return bssl::UniquePtr<X509>(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

absl::Time At(const char* rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) << err;
  return t;
}

// The expected hashes come from openssl(1) on the committed files:
//   openssl x509 -in F -noout -fingerprint -sha256
//   openssl x509 -in F -pubkey -noout | openssl pkey -pubin -outform der |
//     openssl dgst -sha256 -binary | base64
// Regenerating testdata/tls means updating them.
TEST(CertInfoTest, DescribesTheEcServerCertificate) {
  bssl::UniquePtr<X509> cert = Load("server.pem");
  ASSERT_TRUE(cert);
  absl::StatusOr<CertInfo> info = DescribeCert(cert.get(), At("2030-01-01T00:00:00Z"));
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->subject, "CN=localhost,O=ipckit test");
  EXPECT_EQ(info->issuer, "CN=ipckit Test CA,O=ipckit test");
  EXPECT_THAT(info->san, ElementsAre("DNS:localhost", "IP:127.0.0.1", "IP:::1"));
  EXPECT_EQ(info->key_type, "EC");
  EXPECT_EQ(info->key_bits, 256);
  EXPECT_EQ(info->key_curve, "P-256");
  EXPECT_EQ(info->signature_algorithm, "ecdsa-with-SHA256");
  EXPECT_EQ(info->sha256, "37dba7b6f0ced63a69d46e7e17eb6affebd50e0ba76d8c0b60d065c2bc1c3572");
  EXPECT_EQ(info->spki_sha256, "Q8a4HZ22yTNwWQqTnIeQxmNVqc7cFQE/F3Yt86yoQt0=");
  EXPECT_EQ(FormatSpkiPin(*info), "sha256//Q8a4HZ22yTNwWQqTnIeQxmNVqc7cFQE/F3Yt86yoQt0=");
  EXPECT_EQ(info->serial, "73cc42fc8a18c726488be97f689075cfb864070b");
  EXPECT_FALSE(info->self_issued);
  EXPECT_THAT(info->pem, HasSubstr("-----BEGIN CERTIFICATE-----\n"));
  EXPECT_GT(info->days_left, 35000);  // 100 years from generation.
  EXPECT_EQ(info->lifespan_days, 36500);  // generate.sh's -days.
  EXPECT_TRUE(info->ocsp_urls.empty());
}

TEST(CertInfoTest, NamesTheOcspResponder) {
  bssl::UniquePtr<X509> cert = Load("server-aia.pem");
  ASSERT_TRUE(cert);
  absl::StatusOr<CertInfo> info = DescribeCert(cert.get(), absl::Now());
  ASSERT_THAT(info, IsOk());
  EXPECT_THAT(info->ocsp_urls, ElementsAre("http://127.0.0.1:9/ocsp"));  // openssl x509 -ocsp_uri agrees.
}

TEST(CertInfoTest, DescribesTheRsaKey) {
  bssl::UniquePtr<X509> cert = Load("server-rsa.pem");
  ASSERT_TRUE(cert);
  absl::StatusOr<CertInfo> info = DescribeCert(cert.get(), absl::Now());
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->key_type, "RSA");
  EXPECT_EQ(info->key_bits, 2048);
  EXPECT_EQ(info->key_curve, "");
  EXPECT_EQ(info->signature_algorithm, "ecdsa-with-SHA256");  // Signed by the EC CA.
  EXPECT_EQ(info->spki_sha256, "2Ya5dG2nmMpPA5BXf+R6pfeQ5rGv/UkOHahzdERBmmM=");
}

TEST(CertInfoTest, ExpiredCertificateHasNegativeDaysLeft) {
  bssl::UniquePtr<X509> cert = Load("expired.pem");
  ASSERT_TRUE(cert);
  absl::StatusOr<CertInfo> info = DescribeCert(cert.get(), At("2020-01-12T12:00:00Z"));
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->not_before, "2020-01-01T00:00:00Z");
  EXPECT_EQ(info->not_after, "2020-01-02T00:00:00Z");
  EXPECT_EQ(info->days_left, -11);  // 10.5 days ago rounds away from the future.
  EXPECT_EQ(info->lifespan_days, 1);
  EXPECT_EQ(info->serial, "1000");
}

TEST(CertInfoTest, DaysLeftCountsWholeDays) {
  bssl::UniquePtr<X509> cert = Load("expired.pem");
  ASSERT_TRUE(cert);
  EXPECT_EQ(DescribeCert(cert.get(), At("2020-01-01T00:00:01Z"))->days_left, 0);
  EXPECT_EQ(DescribeCert(cert.get(), At("2019-12-31T00:00:00Z"))->days_left, 2);
}

TEST(CertInfoTest, SelfSignedIsSelfIssued) {
  bssl::UniquePtr<X509> cert = Load("selfsigned.pem");
  ASSERT_TRUE(cert);
  absl::StatusOr<CertInfo> info = DescribeCert(cert.get(), absl::Now());
  ASSERT_THAT(info, IsOk());
  EXPECT_TRUE(info->self_issued);
  EXPECT_EQ(info->subject, info->issuer);
}

TEST(CertInfoTest, ParseAsn1TimeRejectsNonsense) {
  bssl::UniquePtr<ASN1_GENERALIZEDTIME> t(ASN1_GENERALIZEDTIME_new());
  ASSERT_TRUE(ASN1_STRING_set(t.get(), "20261301000000Z", 15));
  EXPECT_THAT(ParseAsn1Time(t.get()),
              StatusIs(absl::StatusCode::kInvalidArgument, "bad ASN.1 time 20261301000000Z"));
}

TEST(CertInfoTest, ParseSpkiPinsSplitsAndChecksTheForm) {
  std::string a = "sha256//" + std::string(44, 'A'), b = "sha256//" + std::string(44, 'B');
  absl::StatusOr<std::vector<std::string>> pins = ParseSpkiPins(a + ";;" + b);
  ASSERT_TRUE(pins.ok()) << pins.status();
  EXPECT_EQ(*pins, (std::vector<std::string>{a, b}));
  EXPECT_TRUE(ParseSpkiPins("")->empty());
  EXPECT_EQ(ParseSpkiPins("md5//x").status(),
            absl::InvalidArgumentError("want sha256//BASE64 (44 characters), got 'md5//x'"));
}

}  // namespace
}  // namespace ipckit::tls
