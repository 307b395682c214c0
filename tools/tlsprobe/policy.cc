#include "tools/tlsprobe/policy.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/json/json_reader.h"

namespace ipckit::tlsprobe {

// The policies of testdata/policies, embedded by //tools/tlsprobe:builtin_policies_cc.
extern const char kModernPolicy[];
extern const char kIntermediatePolicy[];
extern const char kOldPolicy[];

const char* const kCipherCategories[] = {"anon", "NULL", "EXPORT", "RC4",  "RC2", "DES",      "3DES", "IDEA", "SEED",
                                         "CBC",  "MD5",  "SHA1",   "PSK", "SRP", "CAMELLIA", "ARIA", nullptr};

namespace {

constexpr const char* kVersionNames[] = {"SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"};

bool IsVersionName(const std::string& v) {
  return std::find(std::begin(kVersionNames), std::end(kVersionNames), v) != std::end(kVersionNames);
}

// Strings reads a JSON array of strings at `field`.
absl::StatusOr<std::vector<std::string>> Strings(const json::Value& v, absl::string_view field) {
  if (!v.is_array()) return absl::InvalidArgumentError(absl::StrCat(field, ": want an array of strings"));
  std::vector<std::string> out;
  for (const json::Value& item : v.array()) {
    if (!item.is_string()) return absl::InvalidArgumentError(absl::StrCat(field, ": want an array of strings"));
    out.push_back(item.string());
  }
  return out;
}

absl::StatusOr<int> Bits(const json::Value& v, absl::string_view field) {
  if (!v.is_number() || v.number() < 0 || v.number() > 1e6 || v.number() != static_cast<int>(v.number())) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": want a whole number of bits"));
  }
  return static_cast<int>(v.number());
}

// kCertificateTypes are Mozilla's certificate_types, and what each is
// among CertInfo's key types.
constexpr std::pair<const char*, const char*> kCertificateTypes[] = {
    {"ecdsa", "EC"}, {"rsa", "RSA"}, {"rsa", "RSA-PSS"}, {"ed25519", "Ed25519"}, {"ed448", "Ed448"}, {"dsa", "DSA"}};

// MozillaCurve returns Mozilla's (OpenSSL's) name for a curve as CertInfo
// or the registry's OpenSSL column names it: "P-256" -> "prime256v1".
std::string MozillaCurve(absl::string_view curve) {
  if (curve == "P-256") return "prime256v1";
  if (curve == "P-384") return "secp384r1";
  if (curve == "P-521") return "secp521r1";
  if (curve == "P-224") return "secp224r1";
  if (curve == "P-192") return "prime192v1";
  return std::string(curve);
}

// GroupForTlsCurve returns the IANA name of a tls_curves entry ("X25519" ->
// "x25519", "prime256v1" -> "secp256r1"), or "" for one the registry lacks.
std::string GroupForTlsCurve(absl::string_view name) {
  for (const tls::GroupInfo& g : tls::Groups()) {
    if (absl::EqualsIgnoreCase(name, g.iana) || absl::EqualsIgnoreCase(name, g.openssl) ||
        MozillaCurve(g.openssl) == name) {
      return g.iana;
    }
  }
  return "";
}

// IsEllipticCurve says whether the group named `iana` is an elliptic curve
// (X25519 and X448 included).
bool IsEllipticCurve(absl::string_view iana) {
  for (const tls::GroupInfo& g : tls::Groups()) {
    if (iana == g.iana) return g.ecdhe_tls12;
  }
  return false;
}

// ReadMozillaList reads one of Mozilla's list fields, each entry checked.
absl::Status ReadMozillaList(const std::string& key, const json::Value& v, Policy& p) {
  absl::StatusOr<std::vector<std::string>> list = Strings(v, key);
  if (!list.ok()) return list.status();
  for (const std::string& item : *list) {
    bool known = true;
    if (key == "certificate_types") {
      known = std::any_of(std::begin(kCertificateTypes), std::end(kCertificateTypes),
                          [&](const auto& t) { return item == t.first; });
    } else if (key == "tls_curves") {
      known = !GroupForTlsCurve(item).empty();
    }
    if (!known) return absl::InvalidArgumentError(absl::StrCat(key, ": unknown \"", item, "\""));
  }
  (key == "certificate_types"    ? p.certificate_types
   : key == "certificate_curves" ? p.certificate_curves
   : key == "tls_curves"         ? p.tls_curves
                                 : p.certificate_signatures) = *list;
  return absl::OkStatus();
}

// ReadField reads one top-level field of a policy into `p`.
absl::Status ReadField(const std::string& key, const json::Value& v, Policy& p) {
  if (key == "name" || key == "source") {
    if (!v.is_string()) return absl::InvalidArgumentError(absl::StrCat(key, ": want a string"));
    (key == "name" ? p.name : p.source) = v.string();
  } else if (key == "versions" || key == "ciphers" || key == "forbid_ciphers") {
    absl::StatusOr<std::vector<std::string>> list = Strings(v, key);
    if (!list.ok()) return list.status();
    for (const std::string& item : *list) {
      if (key == "versions" && !IsVersionName(item)) {
        return absl::InvalidArgumentError(absl::StrCat("versions: unknown version \"", item,
                                                       "\" (want SSLv3, TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3)"));
      }
      if (key != "versions") {
        if (absl::Status s = CheckCipherToken(item); !s.ok()) return absl::InvalidArgumentError(absl::StrCat(key, ": ", s.message()));
      }
    }
    if (key == "versions") p.versions = *list;
    if (key == "ciphers") p.ciphers = *list;
    if (key == "forbid_ciphers") p.forbid_ciphers = *list;
  } else if (key == "require_forward_secrecy") {
    if (!v.is_bool()) return absl::InvalidArgumentError("require_forward_secrecy: want true or false");
    p.require_forward_secrecy = v.boolean();
  } else if (key == "min_dh_bits") {
    absl::StatusOr<int> bits = Bits(v, key);
    if (!bits.ok()) return bits.status();
    p.min_dh_bits = *bits;
  } else if (key == "certificate_types" || key == "certificate_curves" || key == "certificate_signatures" ||
             key == "tls_curves") {
    return ReadMozillaList(key, v, p);
  } else if (key == "min_key_bits") {
    if (!v.is_object()) return absl::InvalidArgumentError("min_key_bits: want an object such as {\"RSA\": 2048}");
    for (const auto& [type, bits] : v.object()) {
      absl::StatusOr<int> b = Bits(bits, absl::StrCat("min_key_bits.", type));
      if (!b.ok()) return b.status();
      p.min_key_bits[type] = *b;
    }
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unknown field \"", key, "\""));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckCipherToken(absl::string_view token) {
  for (const char* const* c = kCipherCategories; *c != nullptr; ++c) {
    if (absl::EqualsIgnoreCase(token, *c)) return absl::OkStatus();
  }
  if (tls::FindSuiteByName(token) != nullptr) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("unknown cipher or category \"", token, "\""));
}

bool SuiteMatches(const tls::SuiteInfo& s, absl::string_view token) {
  if (token == s.iana || token == s.openssl) return true;
  std::string t = absl::AsciiStrToUpper(token);
  if (t == "ANON") return s.anonymous();
  if (t == "NULL") return s.null_cipher();
  if (t == "EXPORT") return s.export_grade;
  if (t == "RC4") return s.bulk == tls::Bulk::kRc4;
  if (t == "RC2") return s.bulk == tls::Bulk::kRc2;
  if (t == "DES") return s.bulk == tls::Bulk::kDes;
  if (t == "3DES") return s.bulk == tls::Bulk::k3Des;
  if (t == "IDEA") return s.bulk == tls::Bulk::kIdea;
  if (t == "SEED") return s.bulk == tls::Bulk::kSeed;
  if (t == "CBC") return s.cbc();
  if (t == "MD5") return s.mac == tls::Mac::kMd5;
  if (t == "SHA1") return s.mac == tls::Mac::kSha1;
  if (t == "PSK") return s.auth == tls::Auth::kPsk;
  if (t == "SRP") return s.auth == tls::Auth::kSrp;
  if (t == "CAMELLIA") return s.bulk == tls::Bulk::kCamelliaCbc || s.bulk == tls::Bulk::kCamelliaGcm;
  if (t == "ARIA") return s.bulk == tls::Bulk::kAriaCbc || s.bulk == tls::Bulk::kAriaGcm;
  return false;
}

absl::StatusOr<Policy> ParsePolicy(absl::string_view text, absl::string_view origin) {
  auto fail = [&](absl::string_view m) { return absl::InvalidArgumentError(absl::StrCat(origin, ": ", m)); };
  absl::StatusOr<json::Value> v = json::ParseJson(text);
  if (!v.ok()) return fail(v.status().message());
  if (!v->is_object()) return fail("want a JSON object");
  Policy p;
  for (const auto& [key, value] : v->object()) {
    if (absl::Status s = ReadField(key, value, p); !s.ok()) return fail(s.message());
  }
  if (p.name.empty()) return fail("name: missing (it names each violation)");
  return p;
}

absl::StatusOr<Policy> BuiltinPolicy(absl::string_view name) {
  const char* text = name == "modern" ? kModernPolicy : name == "intermediate" ? kIntermediatePolicy
                     : name == "old" ? kOldPolicy : nullptr;
  if (text == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unknown policy \"", name, "\" (want modern, intermediate or old)"));
  }
  return ParsePolicy(text, absl::StrCat("testdata/policies/mozilla-", name, ".json"));
}

bool NeedsEnumeration(const Policy& p) {
  return p.versions || p.ciphers || !p.forbid_ciphers.empty() || p.require_forward_secrecy || p.min_dh_bits > 0 ||
         p.tls_curves;
}

namespace {

bool Allowed(const std::optional<std::vector<std::string>>& list, const std::string& item) {
  return !list || std::count(list->begin(), list->end(), item) > 0;
}

// CertificateViolations adds to `out` each way the leaf breaks Mozilla's
// certificate fields of `p`.
void CertificateViolations(const Policy& p, const tls::CertInfo& leaf, const std::function<void(std::string)>& add) {
  std::string type;
  for (const auto& [mozilla, ours] : kCertificateTypes) {
    if (leaf.key_type == ours) type = mozilla;
  }
  if (p.certificate_types && !type.empty() && !Allowed(p.certificate_types, type)) {
    add(absl::StrCat("certificate type ", type, " (allowed: ", absl::StrJoin(*p.certificate_types, ", "), ")"));
  }
  std::string curve = MozillaCurve(leaf.key_curve);
  if (p.certificate_curves && leaf.key_type == "EC" && !Allowed(p.certificate_curves, curve)) {
    add(absl::StrCat("certificate curve ", curve.empty() ? "unknown" : curve, " (allowed: ",
                     absl::StrJoin(*p.certificate_curves, ", "), ")"));
  }
  if (p.certificate_signatures && !Allowed(p.certificate_signatures, leaf.signature_algorithm)) {
    add(absl::StrCat("certificate signature ", leaf.signature_algorithm.empty() ? "unknown" : leaf.signature_algorithm, " (allowed: ",
                     absl::StrJoin(*p.certificate_signatures, ", "), ")"));
  }
}

}  // namespace

std::vector<std::string> Violations(const Policy& p, const Enumeration& e, const tls::CertInfo* leaf) {
  std::vector<std::string> out;
  std::string prefix = p.label.empty() ? absl::StrCat("policy ", p.name) : p.label;
  auto add = [&](std::string what) { out.push_back(absl::StrCat(prefix, ": ", what)); };
  for (const auto& [version, ok] : e.versions) {
    if (ok && p.versions && std::count(p.versions->begin(), p.versions->end(), version) == 0) {
      add(absl::StrCat("version ", version, " accepted (allowed: ", absl::StrJoin(*p.versions, ", "), ")"));
    }
  }
  for (const auto& [version, suites] : e.ciphers) {
    for (const std::string& name : suites) {
      const tls::SuiteInfo* s = tls::FindSuiteByName(name);
      if (p.ciphers && std::count(p.ciphers->begin(), p.ciphers->end(), name) == 0) {
        add(absl::StrCat("cipher ", name, " accepted at ", version, " (not in the policy)"));
      }
      for (const std::string& token : p.forbid_ciphers) {
        if (s != nullptr && SuiteMatches(*s, token)) add(absl::StrCat("cipher ", name, " accepted at ", version, " (", token, ")"));
      }
      if (p.require_forward_secrecy && s != nullptr && !s->forward_secret()) {
        add(absl::StrCat("cipher ", name, " accepted at ", version, " (no forward secrecy)"));
      }
    }
  }
  if (p.tls_curves) {
    // Elliptic curves only, as the field's name says: FFDHE groups are
    // dh_param_size's (min_dh_bits) and the post-quantum hybrids postdate 5.7.
    std::vector<std::string> allowed;
    for (const std::string& c : *p.tls_curves) allowed.push_back(GroupForTlsCurve(c));
    for (const auto& [group, ok] : e.groups) {
      if (ok && IsEllipticCurve(group) && std::count(allowed.begin(), allowed.end(), group) == 0) {
        add(absl::StrCat("group ", group, " accepted (allowed: ", absl::StrJoin(*p.tls_curves, ", "), ")"));
      }
    }
  }
  if (leaf != nullptr) {
    CertificateViolations(p, *leaf, add);
  } else if (p.certificate_types || p.certificate_curves || p.certificate_signatures || !p.min_key_bits.empty()) {
    add("certificate could not be judged: none was seen (no handshake completed, and none came in the clear)");
  }
  if (p.min_dh_bits > 0 && !e.dh_bits.empty() && e.dh_bits.front() < p.min_dh_bits) {
    add(absl::StrCat("DHE prime of ", e.dh_bits.front(), " bits (want at least ", p.min_dh_bits, ")"));
  }
  if (leaf != nullptr && !p.min_key_bits.empty()) {
    // An RSA-PSS key is an RSA key to a rule for RSA (Mozilla's
    // rsa_key_size); a key of unknown type cannot pass unjudged.
    auto want = p.min_key_bits.find(leaf->key_type);
    if (want == p.min_key_bits.end() && leaf->key_type == "RSA-PSS") want = p.min_key_bits.find("RSA");
    // An Ed25519 key is a 256-bit key (RFC 8032; as its name and Mozilla's
    // curve sizes count), though OpenSSL's bit count, which the report
    // keeps, says 253: a rule of 256 bits passes it.
    int bits = leaf->key_type == "Ed25519" ? std::max(leaf->key_bits, 256) : leaf->key_bits;
    if (leaf->key_type == "unknown") {
      add("certificate key could not be judged: its type is unknown to tlsprobe");
    } else if (want != p.min_key_bits.end() && bits < want->second) {
      add(absl::StrCat("certificate key ", leaf->key_type, " ", leaf->key_bits, " bits (want at least ", want->second, ")"));
    }
  }
  return out;
}

}  // namespace ipckit::tlsprobe
