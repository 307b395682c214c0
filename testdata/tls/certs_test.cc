// certs_test checks the committed test certificates with BoringSSL, so a bad
// regeneration (or a BoringSSL that rejects them) is caught here rather than
// deep inside a TLS test.
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/testing/runfiles.h"

namespace {

bssl::UniquePtr<BIO> OpenRunfile(const std::string& name) {
  absl::StatusOr<std::string> path = ipckit::testing::Runfile(absl::StrCat("testdata/tls/", name));
  EXPECT_TRUE(path.ok()) << path.status();
  if (!path.ok()) return nullptr;
  return bssl::UniquePtr<BIO>(BIO_new_file(path->c_str(), "r"));
}

bssl::UniquePtr<X509> LoadCert(const std::string& name) {
  bssl::UniquePtr<BIO> bio = OpenRunfile(name);
  if (!bio) return nullptr;
  return bssl::UniquePtr<X509>(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

bssl::UniquePtr<EVP_PKEY> LoadKey(const std::string& name) {
  bssl::UniquePtr<BIO> bio = OpenRunfile(name);
  if (!bio) return nullptr;
  return bssl::UniquePtr<EVP_PKEY>(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

struct Check {
  std::string host;  // Checked as a DNS name, unless `ip` is set.
  std::string ip;
  int purpose = X509_PURPOSE_SSL_SERVER;
};

// Verify returns X509_V_OK or the X509 verification error for `leaf` against ca.pem.
int Verify(const std::string& leaf_name, const Check& check) {
  bssl::UniquePtr<X509> ca = LoadCert("ca.pem");
  bssl::UniquePtr<X509> leaf = LoadCert(leaf_name);
  if (!ca || !leaf) return -1;
  bssl::UniquePtr<X509_STORE> store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca.get());
  bssl::UniquePtr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  if (!X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr)) return -1;
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_purpose(param, check.purpose);
  if (!check.host.empty()) X509_VERIFY_PARAM_set1_host(param, check.host.data(), check.host.size());
  if (!check.ip.empty()) X509_VERIFY_PARAM_set1_ip_asc(param, check.ip.c_str());
  if (X509_verify_cert(ctx.get()) == 1) return X509_V_OK;
  return X509_STORE_CTX_get_error(ctx.get());
}

TEST(CertsTest, ServerVerifiesForLocalhostNames) {
  EXPECT_EQ(Verify("server.pem", {"localhost", ""}), X509_V_OK);
  EXPECT_EQ(Verify("server.pem", {"", "127.0.0.1"}), X509_V_OK);
  EXPECT_EQ(Verify("server.pem", {"", "::1"}), X509_V_OK);
  EXPECT_EQ(Verify("server-rsa.pem", {"localhost", ""}), X509_V_OK);
}

TEST(CertsTest, ServerDoesNotVerifyForOtherNames) {
  EXPECT_EQ(Verify("server.pem", {"example.com", ""}), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(Verify("server.pem", {"", "127.0.0.2"}), X509_V_ERR_IP_ADDRESS_MISMATCH);
}

TEST(CertsTest, WrongHostIsHostnameMismatch) {
  EXPECT_EQ(Verify("wronghost.pem", {"localhost", ""}), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(Verify("wronghost.pem", {"wrong.example", ""}), X509_V_OK);
}

TEST(CertsTest, ExpiredIsExpired) {
  EXPECT_EQ(Verify("expired.pem", {"localhost", ""}), X509_V_ERR_CERT_HAS_EXPIRED);
}

TEST(CertsTest, SelfSignedIsUntrusted) {
  EXPECT_EQ(Verify("selfsigned.pem", {"localhost", ""}), X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
}

TEST(CertsTest, ClientIsForClientsOnly) {
  EXPECT_EQ(Verify("client.pem", {"", "", X509_PURPOSE_SSL_CLIENT}), X509_V_OK);
  EXPECT_EQ(Verify("client.pem", {"", "", X509_PURPOSE_SSL_SERVER}), X509_V_ERR_INVALID_PURPOSE);
}

TEST(CertsTest, EachKeyMatchesItsCertificate) {
  for (const char* name : {"ca", "server", "server-rsa", "wronghost", "expired", "selfsigned", "client"}) {
    bssl::UniquePtr<X509> cert = LoadCert(absl::StrCat(name, ".pem"));
    bssl::UniquePtr<EVP_PKEY> key = LoadKey(absl::StrCat(name, ".key"));
    ASSERT_TRUE(cert && key) << name;
    EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1) << name;
  }
}

TEST(CertsTest, KeysDoNotMatchOtherCertificates) {
  bssl::UniquePtr<X509> cert = LoadCert("server.pem");
  bssl::UniquePtr<EVP_PKEY> key = LoadKey("client.key");
  ASSERT_TRUE(cert && key);
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 0);
  ERR_clear_error();
}

TEST(CertsTest, ChainFileHoldsServerThenCa) {
  bssl::UniquePtr<BIO> bio = OpenRunfile("server-chain.pem");
  ASSERT_TRUE(bio);
  bssl::UniquePtr<X509> first(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  bssl::UniquePtr<X509> second(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  bssl::UniquePtr<X509> server = LoadCert("server.pem");
  bssl::UniquePtr<X509> ca = LoadCert("ca.pem");
  ASSERT_TRUE(first && second && server && ca);
  EXPECT_EQ(X509_cmp(first.get(), server.get()), 0);
  EXPECT_EQ(X509_cmp(second.get(), ca.get()), 0);
}

}  // namespace
