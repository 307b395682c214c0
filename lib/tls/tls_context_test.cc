#include "lib/tls/tls_context.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/testing/runfiles.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::tls {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::StatusIs;

std::string Cert(const std::string& name) { return *ipckit::testing::Runfile("testdata/tls/" + name); }

TEST(TlsContextTest, ParsesVersions) {
  EXPECT_THAT(ParseTlsVersion("1.2"), IsOkAndHolds(TLS1_2_VERSION));
  EXPECT_THAT(ParseTlsVersion("TLSv1.3"), IsOkAndHolds(TLS1_3_VERSION));
  EXPECT_THAT(ParseTlsVersion("tlsv1.0"), IsOkAndHolds(TLS1_VERSION));
  EXPECT_THAT(ParseTlsVersion("1.4"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unknown TLS version \"1.4\" (want 1.0, 1.1, 1.2 or 1.3)"));
  EXPECT_EQ(TlsVersionName(TLS1_1_VERSION), "TLSv1.1");
  EXPECT_EQ(TlsVersionName(0x0305), "unknown (0x0305)");
  EXPECT_EQ(TlsVersionName(0x0300), "SSLv3");
}

TEST(TlsContextTest, AlpnWireFormatPrefixesLengths) {
  EXPECT_THAT(AlpnWireFormat({"h2", "http/1.1"}), IsOkAndHolds(std::string("\x02h2\x08http/1.1")));
  EXPECT_THAT(AlpnWireFormat({"h2", ""}),
              StatusIs(absl::StatusCode::kInvalidArgument, "ALPN protocol \"\" must be 1 to 255 bytes"));
}

TEST(TlsContextTest, ClientLoadsItsCaFile) {
  TlsOptions o;
  o.ca_file = Cert("ca.pem");
  EXPECT_THAT(TlsContext::Client(o), IsOk());
  o.ca_file = "/nonexistent/ca.pem";
  EXPECT_THAT(TlsContext::Client(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                              "load CA file /nonexistent/ca.pem: cannot read the file"));
  o.ca_file = Cert("server.key");
  EXPECT_THAT(TlsContext::Client(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                              "load CA file " + Cert("server.key") + ": NO_CERTIFICATE_OR_CRL_FOUND"));
}

TEST(TlsContextTest, ClientRejectsBadListsAtOnce) {
  TlsOptions o;
  o.verify = false;
  o.ciphers = "NOPE";
  EXPECT_THAT(TlsContext::Client(o),
              StatusIs(absl::StatusCode::kInvalidArgument, "ciphers NOPE: INVALID_COMMAND"));
  o.ciphers = "";
  o.groups = "P-999";
  EXPECT_THAT(TlsContext::Client(o).status().code(), absl::StatusCode::kInvalidArgument);
  o.groups = "";
  o.min_version = TLS1_3_VERSION;
  o.max_version = TLS1_2_VERSION;
  EXPECT_THAT(TlsContext::Client(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                              "minimum version TLSv1.3 is above the maximum TLSv1.2"));
}

TEST(TlsContextTest, ServerNeedsAMatchingCertificateAndKey) {
  TlsOptions o;
  EXPECT_THAT(TlsContext::Server(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                              "a TLS server needs a certificate and key"));
  o.cert_file = Cert("server.pem");
  o.key_file = Cert("server.key");
  EXPECT_THAT(TlsContext::Server(o), IsOk());
  o.key_file = Cert("client.key");
  absl::StatusOr<TlsContext> bad = TlsContext::Server(o);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "load key " + Cert("client.key") + ": KEY_VALUES_MISMATCH");
  o.cert_file = "/nonexistent.pem";
  EXPECT_THAT(TlsContext::Server(o).status().message().substr(0, 34),
              "load certificate /nonexistent.pem:");
}

// SuiteNames lists the TLS <= 1.2 suites `ctx` offers or accepts, by name.
std::vector<std::string> SuiteNames(const TlsContext& ctx) {
  std::vector<std::string> names;
  STACK_OF(SSL_CIPHER)* suites = SSL_CTX_get_ciphers(ctx.get());
  for (size_t i = 0; i < sk_SSL_CIPHER_num(suites); ++i) {
    names.push_back(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(suites, i)));
  }
  return names;
}

TEST(TlsContextTest, ServerDefaultsToIntermediateAndLegacyKeepsBoringSslDefaults) {
  TlsOptions o = ServerTlsOptions(Cert("server.pem"), Cert("server.key"), "", "h2,http/1.1", false);
  EXPECT_EQ(o.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  absl::StatusOr<TlsContext> modern = TlsContext::Server(o);
  ASSERT_THAT(modern, IsOk());
  EXPECT_EQ(SSL_CTX_get_min_proto_version(modern->get()), TLS1_2_VERSION);
  EXPECT_EQ(SuiteNames(*modern),
            (std::vector<std::string>{"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
                                      "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
                                      "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305"}));
  o.legacy = true;
  absl::StatusOr<TlsContext> legacy = TlsContext::Server(o);
  ASSERT_THAT(legacy, IsOk());
  EXPECT_EQ(SSL_CTX_get_min_proto_version(legacy->get()), TLS1_VERSION);
  std::vector<std::string> all = SuiteNames(*legacy);
  EXPECT_NE(std::find(all.begin(), all.end(), "ECDHE-ECDSA-AES128-SHA"), all.end());
  // An explicit minimum or suite list is used as given.
  o.legacy = false;
  o.min_version = TLS1_1_VERSION;
  o.ciphers = "ECDHE-ECDSA-AES128-SHA";
  absl::StatusOr<TlsContext> told = TlsContext::Server(o);
  ASSERT_THAT(told, IsOk());
  EXPECT_EQ(SSL_CTX_get_min_proto_version(told->get()), TLS1_1_VERSION);
  EXPECT_EQ(SuiteNames(*told), std::vector<std::string>{"ECDHE-ECDSA-AES128-SHA"});
}

}  // namespace
}  // namespace ipckit::tls
