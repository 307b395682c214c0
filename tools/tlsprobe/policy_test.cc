#include "tools/tlsprobe/policy.h"

#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::tlsprobe {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;

// Accepting is an enumeration that accepted `suites` at `version`.
Enumeration Accepting(const std::string& version, std::vector<std::string> suites) {
  Enumeration e;
  for (const char* v : {"SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"}) e.versions.push_back({v, v == version});
  e.ciphers.push_back({version, std::move(suites)});
  return e;
}

// Leaf is a leaf certificate's facts as the policies read them.
tls::CertInfo Leaf(const std::string& type, int bits, const std::string& curve, const std::string& signature) {
  tls::CertInfo c;
  c.key_type = type;
  c.key_bits = bits;
  c.key_curve = curve;
  c.signature_algorithm = signature;
  return c;
}

TEST(PolicyTest, MozillasCertificateFieldsAreJudged) {
  // Issue 28: modern passed an RSA certificate, intermediate a SHA-1-signed
  // leaf, old an ECDSA one.
  Enumeration e13 = Accepting("TLSv1.3", {"TLS_AES_128_GCM_SHA256"});
  tls::CertInfo rsa = Leaf("RSA", 2048, "", "sha256WithRSAEncryption");
  EXPECT_EQ(Violations(*BuiltinPolicy("modern"), e13, &rsa),
            (std::vector<std::string>{
                "policy modern: certificate type rsa (allowed: ecdsa)",
                "policy modern: certificate signature sha256WithRSAEncryption (allowed: ecdsa-with-SHA256, "
                "ecdsa-with-SHA384, ecdsa-with-SHA512)"}));
  tls::CertInfo sha1 = rsa;
  sha1.signature_algorithm = "sha1WithRSAEncryption";
  EXPECT_EQ(Violations(*BuiltinPolicy("intermediate"), e13, &sha1),
            std::vector<std::string>{"policy intermediate: certificate signature sha1WithRSAEncryption (allowed: "
                                     "sha256WithRSAEncryption, ecdsa-with-SHA256, ecdsa-with-SHA384, ecdsa-with-SHA512)"});
  tls::CertInfo ec = Leaf("EC", 521, "P-521", "ecdsa-with-SHA256");
  EXPECT_EQ(Violations(*BuiltinPolicy("intermediate"), e13, &ec),
            std::vector<std::string>{"policy intermediate: certificate curve secp521r1 (allowed: prime256v1, secp384r1)"});
  ec = Leaf("EC", 256, "P-256", "ecdsa-with-SHA256");
  EXPECT_TRUE(Violations(*BuiltinPolicy("intermediate"), e13, &ec).empty());
  EXPECT_EQ(Violations(*BuiltinPolicy("old"), e13, &ec),
            (std::vector<std::string>{"policy old: certificate type ecdsa (allowed: rsa)",
                                      "policy old: certificate signature ecdsa-with-SHA256 (allowed: "
                                      "sha256WithRSAEncryption)"}));
}

TEST(PolicyTest, TlsCurvesAreTheGroupsAccepted) {
  Enumeration e = Accepting("TLSv1.3", {"TLS_AES_128_GCM_SHA256"});
  e.groups = {{"x25519", true}, {"secp256r1", true}, {"x448", true}, {"secp521r1", false}, {"ffdhe2048", true},
              {"X25519MLKEM768", true}};  // FFDHE is min_dh_bits' to judge; the hybrids postdate Mozilla 5.7.
  tls::CertInfo ec = Leaf("EC", 256, "P-256", "ecdsa-with-SHA256");
  EXPECT_EQ(Violations(*BuiltinPolicy("modern"), e, &ec),
            std::vector<std::string>{"policy modern: group x448 accepted (allowed: X25519, prime256v1, secp384r1)"});
  EXPECT_THAT(ParsePolicy(R"({"name": "x", "tls_curves": ["X25519", "P-999"]})", "p.json"),
              StatusIs(absl::StatusCode::kInvalidArgument, "p.json: tls_curves: unknown \"P-999\""));
  EXPECT_THAT(ParsePolicy(R"({"name": "x", "certificate_types": ["ecdsa", "gost"]})", "p.json"),
              StatusIs(absl::StatusCode::kInvalidArgument, "p.json: certificate_types: unknown \"gost\""));
}

TEST(PolicyTest, BuiltinPoliciesLoad) {
  for (const char* name : {"modern", "intermediate", "old"}) {
    absl::StatusOr<Policy> p = BuiltinPolicy(name);
    ASSERT_THAT(p, IsOk()) << name;
    EXPECT_EQ(p->name, name);
    EXPECT_NE(p->source.find("Mozilla Server Side TLS guidelines 5.7"), std::string::npos);
  }
  EXPECT_THAT(BuiltinPolicy("strict"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                "unknown policy \"strict\" (want modern, intermediate or old)"));
  absl::StatusOr<Policy> i = BuiltinPolicy("intermediate");
  EXPECT_EQ(*i->versions, (std::vector<std::string>{"TLSv1.2", "TLSv1.3"}));
  EXPECT_EQ(i->ciphers->size(), 12u);
  EXPECT_EQ(i->min_dh_bits, 2048);
  EXPECT_EQ(i->min_key_bits.at("RSA"), 2048);
}

TEST(PolicyTest, IntermediateNamesEachViolation) {
  Policy p = *BuiltinPolicy("intermediate");
  Enumeration e = Accepting("TLSv1.0", {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"});
  e.dh_bits = {1024, 2048};
  tls::CertInfo leaf;
  leaf.signature_algorithm = "sha256WithRSAEncryption";
  leaf.key_type = "RSA";
  leaf.key_bits = 1024;
  EXPECT_EQ(Violations(p, e, &leaf),
            (std::vector<std::string>{
                "policy intermediate: version TLSv1.0 accepted (allowed: TLSv1.2, TLSv1.3)",
                "policy intermediate: cipher TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA accepted at TLSv1.0 (not in the policy)",
                "policy intermediate: cipher TLS_RSA_WITH_AES_128_CBC_SHA accepted at TLSv1.0 (not in the policy)",
                "policy intermediate: DHE prime of 1024 bits (want at least 2048)",
                "policy intermediate: certificate key RSA 1024 bits (want at least 2048)"}));
  leaf.key_bits = 2048;
  EXPECT_TRUE(Violations(p, Accepting("TLSv1.3", {"TLS_AES_128_GCM_SHA256"}), &leaf).empty());
  // No certificate seen: its rules are not passed unjudged.
  EXPECT_EQ(Violations(p, Accepting("TLSv1.3", {"TLS_AES_128_GCM_SHA256"}), nullptr),
            std::vector<std::string>{"policy intermediate: certificate could not be judged: none was seen (no "
                                     "handshake completed, and none came in the clear)"});
}

TEST(PolicyTest, KeySizeRulesForRsaHoldRsaPssAndUnknownKeysAreNotPassed) {
  Policy p = *BuiltinPolicy("intermediate");  // min_key_bits RSA 2048 (Mozilla's rsa_key_size).
  Enumeration e = Accepting("TLSv1.3", {"TLS_AES_128_GCM_SHA256"});
  tls::CertInfo pss;
  pss.signature_algorithm = "sha256WithRSAEncryption";
  pss.key_type = "RSA-PSS";
  pss.key_bits = 1024;
  EXPECT_EQ(Violations(p, e, &pss),
            std::vector<std::string>{"policy intermediate: certificate key RSA-PSS 1024 bits (want at least 2048)"});
  pss.key_bits = 2048;
  EXPECT_TRUE(Violations(p, e, &pss).empty());
  tls::CertInfo ed;  // Issue 28: --min-key-bits 256 failed an Ed25519 key (OpenSSL counts 253 bits).
  ed.signature_algorithm = "sha256WithRSAEncryption";
  ed.key_type = "Ed25519";
  ed.key_bits = 253;
  Policy bits256;
  bits256.name = "min-key-bits";
  bits256.min_key_bits["Ed25519"] = 256;
  EXPECT_TRUE(Violations(bits256, e, &ed).empty());
  bits256.min_key_bits["Ed25519"] = 257;
  EXPECT_EQ(Violations(bits256, e, &ed),
            std::vector<std::string>{"policy min-key-bits: certificate key Ed25519 253 bits (want at least 257)"});
  tls::CertInfo unknown;
  unknown.signature_algorithm = "sha256WithRSAEncryption";
  unknown.key_type = "unknown";
  EXPECT_EQ(Violations(p, e, &unknown),
            std::vector<std::string>{
                "policy intermediate: certificate key could not be judged: its type is unknown to tlsprobe"});
}

TEST(PolicyTest, CategoriesMatchSuites) {
  Policy p;
  p.label = "forbid-cipher";
  p.forbid_ciphers = {"anon", "CBC", "RC4"};
  Enumeration e = Accepting("TLSv1.2", {"TLS_DH_anon_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
                                        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"});
  EXPECT_EQ(Violations(p, e, nullptr),
            (std::vector<std::string>{
                "forbid-cipher: cipher TLS_DH_anon_WITH_AES_128_GCM_SHA256 accepted at TLSv1.2 (anon)",
                "forbid-cipher: cipher TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA accepted at TLSv1.2 (CBC)"}));
  EXPECT_THAT(CheckCipherToken("cbc"), IsOk());
  EXPECT_THAT(CheckCipherToken("ECDHE-RSA-AES128-SHA"), IsOk());
  EXPECT_THAT(CheckCipherToken("WEAK"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                 "unknown cipher or category \"WEAK\""));
}

TEST(PolicyTest, PolicyFileErrorsSayWhere) {
  EXPECT_THAT(ParsePolicy("{\"name\": \"x\", \"versions\": [\"TLSv1.4\"]}", "p.json"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "p.json: versions: unknown version \"TLSv1.4\" (want SSLv3, TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3)"));
  EXPECT_THAT(ParsePolicy("{\"name\": \"x\", \"cipher\": []}", "p.json"),
              StatusIs(absl::StatusCode::kInvalidArgument, "p.json: unknown field \"cipher\""));
  EXPECT_EQ(ParsePolicy("{\"versions\": []}", "dir/team.json")->name, "team");  // The file's name.
  EXPECT_THAT(ParsePolicy("{\"name\": 1}", "p.json"),
              StatusIs(absl::StatusCode::kInvalidArgument, "p.json: name: want a string"));
  EXPECT_THAT(ParsePolicy("{\"name\": \"x\",}", "p.json"),
              StatusIs(absl::StatusCode::kInvalidArgument, "p.json: line 1 column 14: expected a member name in quotes"));
  EXPECT_THAT(ParsePolicy("{\"name\": \"x\", \"min_key_bits\": {\"RSA\": 20.5}}", "p.json"),
              StatusIs(absl::StatusCode::kInvalidArgument, "p.json: min_key_bits.RSA: want a whole number of bits"));
}

TEST(PolicyTest, MozillasLifespanStaplingOrderAndEcdhSizeAreJudged) {
  Policy modern = *BuiltinPolicy("modern");
  Policy old = *BuiltinPolicy("old");
  EXPECT_EQ(*modern.max_lifespan_days, 90);
  EXPECT_EQ(*old.max_lifespan_days, 366);
  EXPECT_TRUE(modern.ocsp_staple);
  EXPECT_FALSE(modern.server_preferred_order);
  EXPECT_TRUE(old.server_preferred_order);
  EXPECT_EQ(modern.min_key_bits.count("RSA"), 0u);  // rsa_key_size null.
  EXPECT_EQ(old.min_key_bits.at("RSA"), 2048);
  EXPECT_EQ(old.min_dh_bits, 1024);
  EXPECT_EQ(*old.versions, (std::vector<std::string>{"TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"}));  // "TLSv1"
  Enumeration e13 = Accepting("TLSv1.3", {"TLS_AES_128_GCM_SHA256"});
  tls::CertInfo ec = Leaf("EC", 256, "P-256", "ecdsa-with-SHA256");
  ec.lifespan_days = 91;
  EXPECT_EQ(Violations(modern, e13, &ec, false),
            std::vector<std::string>{"policy modern: certificate lifespan 91 days (want at most 90)"});
  ec.lifespan_days = 90;
  EXPECT_TRUE(Violations(modern, e13, &ec, false).empty());  // No responder named: nothing to staple.
  ec.ocsp_urls = {"http://ocsp.example/"};
  EXPECT_EQ(Violations(modern, e13, &ec, false),
            std::vector<std::string>{"policy modern: no OCSP response stapled (the certificate names the responder "
                                     "http://ocsp.example/)"});
  EXPECT_TRUE(Violations(modern, e13, &ec, true).empty());
  EXPECT_EQ(Violations(modern, e13, &ec, std::nullopt),
            std::vector<std::string>{"policy modern: OCSP stapling could not be judged: no handshake of tlsprobe's "
                                     "own completed"});
  // old wants the server's order below TLS 1.3; one suite has none to keep.
  tls::CertInfo rsa = Leaf("RSA", 2048, "", "sha256WithRSAEncryption");
  Enumeration e12 = Accepting("TLSv1.2", {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"});
  e12.server_order_below_13 = false;
  EXPECT_EQ(Violations(old, e12, &rsa, true),
            std::vector<std::string>{"policy old: cipher order: the client's wins below TLS 1.3 (want the server's)"});
  e12.server_order_below_13 = true;
  EXPECT_TRUE(Violations(old, e12, &rsa, true).empty());
  e12.server_order_below_13.reset();
  EXPECT_TRUE(Violations(old, e12, &rsa, true).empty());
  // ecdh_param_size: an elliptic curve under 256 bits, beside tls_curves.
  e13.groups = {{"x25519", true}, {"secp224r1", true}, {"brainpoolP256r1", false}};
  EXPECT_EQ(Violations(modern, e13, &ec, true),
            (std::vector<std::string>{
                "policy modern: group secp224r1 accepted (allowed: X25519, prime256v1, secp384r1)",
                "policy modern: group secp224r1 of 224 bits accepted (want at least 256)"}));
}

TEST(PolicyTest, MozillasGuidelinesDocumentIsRead) {
  const char* doc = R"({"version": 5.8, "href": "https://example/5.8.json", "configurations": {
      "modern": {"tls_versions": ["TLSv1.3"], "ciphersuites": ["TLS_AES_128_GCM_SHA256"], "ciphers": {"iana": [],
                 "openssl": [], "go": [], "caddy": []}, "hsts_min_age": 1, "oldest_clients": ["x"],
                 "recommended_certificate_lifespan": 90, "dh_param_size": null, "ocsp_staple": false},
      "mine": {"ciphers": {"openssl": ["ECDHE-RSA-AES128-GCM-SHA256"]}}}})";
  absl::StatusOr<Policy> p = ParsePolicy(doc, "g.json", "modern");
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->name, "modern");
  EXPECT_EQ(p->source, "Mozilla Server Side TLS guidelines 5.8 (https://example/5.8.json), 'modern' configuration");
  EXPECT_TRUE(p->from_guidelines);
  EXPECT_EQ(*p->ciphers, std::vector<std::string>{"TLS_AES_128_GCM_SHA256"});
  EXPECT_EQ(p->min_dh_bits, 0);
  // OpenSSL's names are read as IANA's.
  EXPECT_EQ(*ParsePolicy(doc, "g.json", "mine")->ciphers,
            std::vector<std::string>{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"});
  EXPECT_THAT(ParsePolicy(doc, "g.json"),
              StatusIs(absl::StatusCode::kInvalidArgument, "g.json: a Mozilla guidelines document: name one of its "
                                                           "configurations (modern, mine) with --policy"));
  EXPECT_THAT(ParsePolicy(doc, "g.json", "old"),
              StatusIs(absl::StatusCode::kInvalidArgument, "g.json: no configuration \"old\" (it has modern, mine)"));
  EXPECT_THAT(ParsePolicy(R"({"configurations": {"a": {"tls_versions": ["TLSv9"]}}})", "g.json", "a"),
              StatusIs(absl::StatusCode::kInvalidArgument, "g.json: a: tls_versions: unknown version \"TLSv9\" (want "
                                                           "SSLv3, TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3)"));
  EXPECT_THAT(ParsePolicy(R"({"configurations": {"a": {"ciphers": {"iana": ["NOPE"]}}}})", "g.json", "a"),
              StatusIs(absl::StatusCode::kInvalidArgument, "g.json: a: ciphers.iana: unknown cipher or category \"NOPE\""));
  EXPECT_THAT(ParsePolicy(R"({"configurations": [], "version": 1})", "g.json", "a"),
              StatusIs(absl::StatusCode::kInvalidArgument, "g.json: a guidelines document: bad field \"configurations\""));
  EXPECT_THAT(ParsePolicy(R"({"name": "x", "maximum_certificate_lifespan": "a year"})", "p.json"),
              StatusIs(absl::StatusCode::kInvalidArgument, "p.json: maximum_certificate_lifespan: want a whole number of days"));
}

}  // namespace
}  // namespace ipckit::tlsprobe
