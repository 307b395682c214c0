#include "lib/tls/client_hello.h"

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/testing/runfiles.h"
#include "lib/tls/registry.h"
#include "lib/tls/server_flight.h"

namespace ipckit::tls {
namespace {

// Answer feeds `hello` to a BoringSSL server (testdata's ECDSA P-256
// certificate, versions min..max) in memory and returns what the server's
// first flight reads as.
ServerFlight Answer(const ClientHelloSpec& spec, uint16_t min = TLS1_VERSION, uint16_t max = TLS1_3_VERSION) {
  bssl::UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_method()));
  std::string dir = *ipckit::testing::Runfile("testdata/tls");
  EXPECT_TRUE(SSL_CTX_use_certificate_chain_file(ctx.get(), (dir + "/server.pem").c_str()));
  EXPECT_TRUE(SSL_CTX_use_PrivateKey_file(ctx.get(), (dir + "/server.key").c_str(), SSL_FILETYPE_PEM));
  SSL_CTX_set_min_proto_version(ctx.get(), min);
  SSL_CTX_set_max_proto_version(ctx.get(), max);
  EXPECT_TRUE(SSL_CTX_set_cipher_list(ctx.get(), "ALL"));
  bssl::UniquePtr<SSL> ssl(SSL_new(ctx.get()));
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl.get(), in, out);
  SSL_set_accept_state(ssl.get());
  std::string hello = BuildClientHello(spec);
  BIO_write(in, hello.data(), static_cast<int>(hello.size()));
  SSL_do_handshake(ssl.get());
  const uint8_t* data = nullptr;
  size_t len = 0;
  BIO_mem_contents(out, &data, &len);
  ServerFlightReader r;
  r.Feed(std::string(reinterpret_cast<const char*>(data), len));
  if (!r.done()) r.Feed("");
  return r.flight();
}

TEST(ClientHelloTest, Tls12SuiteAndGroupChosenAsOffered) {
  ClientHelloSpec s;
  s.version = 0x0303;
  s.suites = {0xC02B};  // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
  s.groups = {23};
  s.session_ticket = true;
  ServerFlight f = Answer(s);
  EXPECT_EQ(f.kind, ServerFlight::kServerHello) << f.error;
  EXPECT_EQ(f.version, 0x0303);
  EXPECT_EQ(f.suite, 0xC02B);
  EXPECT_EQ(f.group, 23);
  EXPECT_EQ(f.certificates, 1);
  EXPECT_EQ(f.certificate_curve, 23);  // testdata's server.pem: ECDSA P-256.
  EXPECT_EQ(f.signature_scheme, 0x0403);
  EXPECT_TRUE(f.secure_renegotiation);
  EXPECT_TRUE(f.extended_master_secret);
  EXPECT_TRUE(f.session_ticket);
  EXPECT_FALSE(f.heartbeat);
  EXPECT_EQ(f.error, "");
}

TEST(ClientHelloTest, EachGroupMeasuredWithTheCertificateStillUsable) {
  // Offering one group at a time keeps the ECDSA suites usable: the group,
  // not the certificate, decides.
  for (uint16_t g : {29, 23, 24}) {
    ClientHelloSpec s;
    s.suites = {0xC02B, 0xC02F};
    s.groups = {g};
    ServerFlight f = Answer(s);
    EXPECT_EQ(f.kind, ServerFlight::kServerHello) << g;
    EXPECT_EQ(f.group, g);
  }
}

TEST(ClientHelloTest, Tls13WithAnEmptyKeyShareGetsAHelloRetryRequest) {
  for (uint16_t suite : {0x1301, 0x1302, 0x1303}) {
    ClientHelloSpec s;
    s.version = 0x0304;
    s.suites = {suite};
    s.groups = {29};
    ServerFlight f = Answer(s);
    EXPECT_EQ(f.kind, ServerFlight::kHelloRetryRequest) << f.error;
    EXPECT_EQ(f.version, 0x0304);
    EXPECT_EQ(f.suite, suite);
    EXPECT_EQ(f.group, 29);
  }
}

TEST(ClientHelloTest, RefusalsAreAlerts) {
  ClientHelloSpec rc4;
  rc4.suites = {0x0005};  // TLS_RSA_WITH_RC4_128_SHA: BoringSSL has none.
  ServerFlight f = Answer(rc4);
  EXPECT_EQ(f.kind, ServerFlight::kAlert);
  EXPECT_EQ(AlertName(f.alert), "handshake_failure");

  ClientHelloSpec old;
  old.version = 0x0301;
  old.suites = {0xC009};
  f = Answer(old, TLS1_2_VERSION);
  EXPECT_EQ(f.kind, ServerFlight::kAlert);
  EXPECT_EQ(AlertName(f.alert), "protocol_version");

  ClientHelloSpec fallback;  // TLS 1.1 with the SCSV to a TLS 1.3 server.
  fallback.version = 0x0302;
  fallback.suites = {0xC009};
  fallback.groups = {23};
  fallback.fallback_scsv = true;
  f = Answer(fallback);
  EXPECT_EQ(f.kind, ServerFlight::kAlert);
  EXPECT_EQ(AlertName(f.alert), "inappropriate_fallback");
  fallback.fallback_scsv = false;
  EXPECT_EQ(Answer(fallback).kind, ServerFlight::kServerHello);
}

TEST(ClientHelloTest, HellosOf256To511BytesArePaddedTo512) {
  for (size_t suites = 1; suites < 200; ++suites) {
    ClientHelloSpec s;
    s.suites.assign(suites, 0xC02B);
    std::string b = BuildClientHello(s);
    size_t handshake = b.size() - 5;
    EXPECT_TRUE(handshake < 256 || handshake >= 512) << suites << " suites: " << handshake << " bytes";
  }
  ClientHelloSpec s;  // 100 suites: about 320 bytes, padded; still a hello BoringSSL's server takes.
  std::vector<uint16_t> all = SuitesFor(0x0303);
  s.suites.assign(all.begin(), all.begin() + 100);
  s.groups = {23};
  std::string b = BuildClientHello(s);
  EXPECT_EQ(b.size() - 5, 512u);
  ServerFlight f = Answer(s);
  EXPECT_EQ(f.kind, ServerFlight::kServerHello);
  EXPECT_EQ(f.suite, 0xC02C);  // The strongest ECDSA suite, offered first.
}

TEST(ClientHelloTest, DsaSchemesOnlyBelowTls13) {
  std::vector<uint16_t> tls12 = DefaultSignatureSchemes(0x0303), tls13 = DefaultSignatureSchemes(0x0304);
  auto has = [](const std::vector<uint16_t>& v, uint16_t c) { return std::find(v.begin(), v.end(), c) != v.end(); };
  EXPECT_TRUE(has(tls12, 0x0402));   // dsa_sha256
  EXPECT_TRUE(has(tls12, 0x0202));   // dsa_sha1
  EXPECT_FALSE(has(tls13, 0x0402));  // RFC 8446 reserves them.
  EXPECT_TRUE(has(tls13, 0x0804));   // rsa_pss_rsae_sha256, in both.
  EXPECT_TRUE(has(tls12, 0x0804));
  EXPECT_EQ(tls12.size(), tls13.size() + 5);  // The five dsa_* schemes.
}

TEST(ClientHelloTest, HelloBytes) {
  ClientHelloSpec s;
  s.version = 0x0300;
  s.suites = {0x000A};
  std::string b = BuildClientHello(s);
  // Record header: handshake, SSLv3; then client_hello with version 3.0.
  EXPECT_EQ(b.substr(0, 3), std::string("\x16\x03\x00", 3));
  EXPECT_EQ(b[5], '\x01');
  EXPECT_EQ(b.substr(9, 2), std::string("\x03\x00", 2));
  // SSLv3 has no extensions: the renegotiation SCSV goes in the suite list.
  EXPECT_NE(b.find(std::string("\x00\x0a\x00\xff", 4)), std::string::npos);
  EXPECT_EQ(b.size(), 5u + 4 + 2 + 32 + 1 + 2 + 4 + 2);
}

}  // namespace
}  // namespace ipckit::tls
