#include "lib/tls/registry.h"

#include <openssl/ssl.h>

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace ipckit::tls {
namespace {

TEST(RegistryTest, TablesAreOrderedAndUnique) {
  uint32_t last = 0;
  bool first = true;
  for (const SuiteInfo& s : Suites()) {
    EXPECT_TRUE(first || s.code > last) << s.iana;
    last = s.code;
    first = false;
  }
  EXPECT_EQ(Suites().size(), 336u);
  std::set<uint16_t> groups;
  for (const GroupInfo& g : Groups()) EXPECT_TRUE(groups.insert(g.code).second) << g.iana;
  EXPECT_TRUE(std::is_sorted(Groups().begin(), Groups().end(),
                             [](const GroupInfo& a, const GroupInfo& b) { return a.code < b.code; }));
}

TEST(RegistryTest, NamesAgreeWithBoringSsl) {
  // Every suite this BoringSSL implements has the IANA and OpenSSL names it
  // gives them, and is in the table.
  int known = 0;
  for (uint32_t code = 0; code <= 0xFFFF; ++code) {
    const SSL_CIPHER* c = SSL_get_cipher_by_value(static_cast<uint16_t>(code));
    if (c == nullptr) continue;
    ++known;
    const SuiteInfo* s = FindSuite(static_cast<uint16_t>(code));
    ASSERT_NE(s, nullptr) << SSL_CIPHER_standard_name(c);
    EXPECT_STREQ(s->iana, SSL_CIPHER_standard_name(c));
    EXPECT_EQ(s->tls13(), SSL_CIPHER_get_min_version(c) == TLS1_3_VERSION) << s->iana;
  }
  EXPECT_GE(known, 20);
}

TEST(RegistryTest, PropertiesOfSuites) {
  const SuiteInfo* adh = FindSuite(0x0034);  // TLS_DH_anon_WITH_AES_128_CBC_SHA
  ASSERT_NE(adh, nullptr);
  EXPECT_STREQ(adh->openssl, "ADH-AES128-SHA");
  EXPECT_TRUE(adh->anonymous());
  EXPECT_TRUE(adh->cbc());
  EXPECT_TRUE(adh->forward_secret());
  const SuiteInfo* exp = FindSuite(0x0003);
  ASSERT_NE(exp, nullptr);
  EXPECT_TRUE(exp->export_grade);
  EXPECT_FALSE(exp->cbc());  // RC4 is a stream cipher.
  const SuiteInfo* gcm = FindSuite(0xC02F);
  ASSERT_NE(gcm, nullptr);
  EXPECT_STREQ(gcm->iana, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  EXPECT_TRUE(gcm->aead());
  EXPECT_FALSE(gcm->cbc());
  EXPECT_EQ(gcm->min_version, 0x0303);
  const SuiteInfo* ecdh = FindSuite(0xC00E);  // Static ECDH: no forward secrecy.
  ASSERT_NE(ecdh, nullptr);
  EXPECT_STREQ(ecdh->iana, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA");
  EXPECT_STREQ(ecdh->openssl, "ECDH-RSA-AES128-SHA");
  EXPECT_FALSE(ecdh->forward_secret());
  EXPECT_TRUE(ecdh->cbc());
  EXPECT_FALSE(FindSuite(0xC100)->cbc());  // GOST Kuznyechik CTR with OMAC.
  EXPECT_STREQ(FindSuite(0xC07A)->iana, "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256");
  EXPECT_STREQ(FindSuite(0xC093)->iana, "TLS_RSA_PSK_WITH_CAMELLIA_256_GCM_SHA384");
  EXPECT_STREQ(FindSuite(0xC04F)->iana, "TLS_ECDH_RSA_WITH_ARIA_256_CBC_SHA384");
  const SuiteInfo* rsa = FindSuite(0x002F);
  ASSERT_NE(rsa, nullptr);
  EXPECT_FALSE(rsa->forward_secret());
  EXPECT_TRUE(FindSuite(0x0001)->null_cipher());
  EXPECT_EQ(SuiteName(0xC0FF), "0xC0FF (unknown)");
  EXPECT_EQ(FindSuiteByName("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), gcm);
  EXPECT_EQ(FindSuiteByName("ECDHE-RSA-AES128-GCM-SHA256"), gcm);
  EXPECT_EQ(FindSuiteByName("ECDHE-RSA-AES128-GCM"), nullptr);
}

TEST(RegistryTest, SuitesForEachVersion) {
  // Strongest first: 256-bit AEAD, then 128-bit; code point order among equals.
  EXPECT_EQ(SuitesFor(0x0304), (std::vector<uint16_t>{0x1302, 0x1303, 0x1306, 0xC103, 0xC104, 0xC105, 0xC106,
                                                      0x00C6, 0x00C7, 0x1301, 0x1304, 0x1305, 0x1307}));
  EXPECT_EQ(SuitesFor(0x0303)[0], 0xC02C);  // TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
  std::vector<uint16_t> tls10 = SuitesFor(0x0301);
  EXPECT_EQ(std::count(tls10.begin(), tls10.end(), 0xC02F), 0);  // GCM is TLS 1.2 only.
  EXPECT_EQ(std::count(tls10.begin(), tls10.end(), 0xC013), 1);
  std::vector<uint16_t> tls12 = SuitesFor(0x0303);
  EXPECT_EQ(std::count(tls12.begin(), tls12.end(), 0xC02F), 1);
  EXPECT_EQ(std::count(tls12.begin(), tls12.end(), 0x1301), 0);
}

TEST(RegistryTest, GroupAndSchemeNames) {
  EXPECT_EQ(GroupName(29), "x25519");
  EXPECT_EQ(GroupName(23), "secp256r1");
  EXPECT_STREQ(FindGroup(23)->openssl, "P-256");
  EXPECT_EQ(GroupName(0x11EC), "X25519MLKEM768");
  EXPECT_EQ(GroupName(256), "ffdhe2048");
  EXPECT_EQ(GroupName(0x1234), "0x1234 (unknown)");
  EXPECT_EQ(SignatureSchemeName(0x0804), "rsa_pss_rsae_sha256");
  EXPECT_EQ(SignatureSchemeName(0x0403), "ecdsa_secp256r1_sha256");
}

}  // namespace
}  // namespace ipckit::tls
