// policy.h: a server TLS policy and the gate that judges an enumeration
// (enumerate.h) and the leaf certificate against it, as sslyze's
// --mozilla_config does: each violation is a named line for checks_failed
// ("policy intermediate: version TLSv1.0 accepted (allowed: TLSv1.2,
// TLSv1.3)"), and any violation makes tlsprobe exit 7.
//
// Policies are JSON (--policy-file): a policy object, or Mozilla's
// guidelines document ({"version": 5.7, "href": ..., "configurations":
// {"modern": {...}, ...}}, whose configuration --policy names; testdata/
// policies/mozilla-5.7.json is 5.7's, which --policy modern|intermediate|old
// embeds). A policy object has ipckit's fields, Mozilla's, or both:
//   {"name": "...", "source": "...",
//    "versions": ["TLSv1.2", "TLSv1.3"],          allowed versions
//    "ciphers": ["TLS_AES_128_GCM_SHA256", ...],   allowed suites (IANA names)
//    "forbid_ciphers": ["anon", "CBC", ...],       categories or suite names
//    "require_forward_secrecy": true,
//    "min_dh_bits": 2048,
//    "min_key_bits": {"RSA": 2048, "EC": 256},
//    and Mozilla's own fields, by its names and values:
//    "certificate_types": ["ecdsa", "rsa"],       the leaf key's type (also ed25519, ed448, dsa)
//    "certificate_curves": ["prime256v1", "secp384r1"],   an ECDSA leaf's curve
//    "certificate_signatures": ["ecdsa-with-SHA256", "sha256WithRSAEncryption"],   the leaf's signature
//    "tls_curves": ["X25519", "prime256v1", "secp384r1"],  elliptic curves accepted for key exchange
//    "tls_versions": ["TLSv1", "TLSv1.2"],         versions ("TLSv1" is TLSv1.0)
//    "ciphersuites": [...], "ciphers": {"iana": [...], "openssl": [...]},   allowed suites
//    "dh_param_size": 2048, "rsa_key_size": 2048,  as min_dh_bits and min_key_bits.RSA (null: none)
//    "ecdh_param_size": 256,                       the smallest elliptic curve accepted, in bits
//    "maximum_certificate_lifespan": 366,          the leaf's not_before to not_after, in days
//    "ocsp_staple": true,                          a leaf naming an OCSP responder is stapled
//    "server_preferred_order": true,               below TLS 1.3 the server's order wins
//    "hsts_min_age", "oldest_clients", "recommended_certificate_lifespan": read, not judged
//    (HSTS is an HTTP header, not TLS; the others are advice).}
// Every field is optional (name defaults to the file's name); an unknown
// field is an error (a typo must not silently weaken a gate).
//
// Threads: Policies are values, parsed on any thread and only read after;
// Violations is pure: any thread.
#ifndef IPCKIT_TOOLS_TLSPROBE_POLICY_H_
#define IPCKIT_TOOLS_TLSPROBE_POLICY_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/tls/cert_info.h"
#include "lib/tls/registry.h"
#include "tools/tlsprobe/enumerate.h"

namespace ipckit::tlsprobe {

struct Policy {
  std::string name;                                  // Prefixes each violation: "policy NAME: ...",
  std::string label;                                 // or, when set, "LABEL: ..." (a single check option).
  std::string source;
  std::optional<std::vector<std::string>> versions;  // "SSLv3", "TLSv1.0".."TLSv1.3".
  std::optional<std::vector<std::string>> ciphers;   // IANA names.
  std::vector<std::string> forbid_ciphers;           // Categories (kCipherCategories) or names.
  bool require_forward_secrecy = false;
  int min_dh_bits = 0;
  std::map<std::string, int> min_key_bits;           // "RSA", "EC", "Ed25519" -> bits.
  std::optional<std::vector<std::string>> certificate_types;       // Mozilla's: "ecdsa", "rsa".
  std::optional<std::vector<std::string>> certificate_curves;      // "prime256v1", "secp384r1".
  std::optional<std::vector<std::string>> certificate_signatures;  // "ecdsa-with-SHA256".
  std::optional<std::vector<std::string>> tls_curves;              // "X25519", "prime256v1".
  int min_ecdh_bits = 0;                             // Mozilla's ecdh_param_size.
  std::optional<int> max_lifespan_days;              // maximum_certificate_lifespan.
  bool ocsp_staple = false;                          // A leaf naming a responder must come stapled.
  bool server_preferred_order = false;               // Below TLS 1.3, the server's order wins.
  bool from_guidelines = false;                      // A configuration of a guidelines document.
};

// kCipherCategories are the words --forbid-cipher and forbid_ciphers take
// besides suite names (IANA or OpenSSL): anon NULL EXPORT RC4 RC2 DES 3DES
// IDEA SEED CBC MD5 SHA1 PSK SRP CAMELLIA ARIA.
extern const char* const kCipherCategories[];

// ParsePolicy reads a policy from JSON text: a policy object, or from a
// guidelines document the configuration named `configuration` (named so).
// `origin` (a file name) starts each error: "policy.json: line 2 column 5:
// ...", "policy.json: versions: unknown version "TLSv1.4"", "policy.json:
// unknown field "cipher"", "5.7.json: a Mozilla guidelines document: name
// one of its configurations (modern, intermediate, old) with --policy".
absl::StatusOr<Policy> ParsePolicy(absl::string_view json, absl::string_view origin,
                                   absl::string_view configuration = "");

// BuiltinPolicy returns Mozilla's "modern", "intermediate" or "old", or
// kInvalidArgument "unknown policy "x" (want modern, intermediate or old)".
absl::StatusOr<Policy> BuiltinPolicy(absl::string_view name);

// CheckCipherToken accepts a category or a suite name (IANA or OpenSSL), or
// fails with kInvalidArgument "unknown cipher or category "x"".
absl::Status CheckCipherToken(absl::string_view token);

// SuiteMatches says whether `suite` is what `token` names (a category, or
// its IANA or OpenSSL name; categories ignore case).
bool SuiteMatches(const tls::SuiteInfo& suite, absl::string_view token);

// NeedsEnumeration says whether judging `p` needs the enumeration (all but a
// policy of key sizes alone, which the probe's certificate answers).
bool NeedsEnumeration(const Policy& p);

// Violations returns each way `e`, the leaf certificate `leaf` and the
// probe's handshake (`ocsp_stapled`: whether it came with a stapled OCSP
// response; nullopt without a handshake) break `p`, named with `p.name`;
// empty when none. A rule whose facts are missing fails as not judged:
// certificate rules without a leaf, ocsp_staple without a handshake.
std::vector<std::string> Violations(const Policy& p, const Enumeration& e, const tls::CertInfo* leaf,
                                    std::optional<bool> ocsp_stapled = std::nullopt);

}  // namespace ipckit::tlsprobe

#endif  // IPCKIT_TOOLS_TLSPROBE_POLICY_H_
