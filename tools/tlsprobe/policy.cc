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

// testdata/policies/mozilla-5.7.json, embedded by //tools/tlsprobe:builtin_policies_cc.
extern const char kMozillaGuidelines[];

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

// Bits reads a whole number of bits (or of `unit`) at `field`.
absl::StatusOr<int> Bits(const json::Value& v, absl::string_view field, absl::string_view unit = "bits") {
  if (!v.is_number() || v.number() < 0 || v.number() > 1e6 || v.number() != static_cast<int>(v.number())) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": want a whole number of ", unit));
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

// AddSuites adds the suites of a list field to p.ciphers, by IANA name
// (an OpenSSL name found in the registry is turned into IANA's).
absl::Status AddSuites(const json::Value& v, absl::string_view field, Policy& p) {
  absl::StatusOr<std::vector<std::string>> list = Strings(v, field);
  if (!list.ok()) return list.status();
  if (!p.ciphers) p.ciphers.emplace();
  for (const std::string& item : *list) {
    if (absl::Status s = CheckCipherToken(item); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": ", s.message()));
    }
    const tls::SuiteInfo* suite = tls::FindSuiteByName(item);
    std::string name = suite != nullptr ? suite->iana : item;
    if (std::count(p.ciphers->begin(), p.ciphers->end(), name) == 0) p.ciphers->push_back(name);
  }
  return absl::OkStatus();
}

// ReadMozillaCiphers reads Mozilla's "ciphers": {"iana": [...], "openssl":
// [...], "caddy": [...], "go": [...]}: the same suites in four spellings, of
// which the first two are read (caddy's and go's are checked to be lists).
absl::Status ReadMozillaCiphers(const json::Value& v, Policy& p) {
  if (!p.ciphers) p.ciphers.emplace();
  for (const auto& [key, list] : v.object()) {
    std::string field = absl::StrCat("ciphers.", key);
    if (key == "iana" || key == "openssl") {
      if (absl::Status s = AddSuites(list, field, p); !s.ok()) return s;
    } else if (key == "caddy" || key == "go") {
      if (absl::StatusOr<std::vector<std::string>> l = Strings(list, field); !l.ok()) return l.status();
    } else {
      return absl::InvalidArgumentError(absl::StrCat("ciphers: unknown field \"", key, "\""));
    }
  }
  return absl::OkStatus();
}

// ReadVersions reads "versions" or Mozilla's "tls_versions" ("TLSv1" is
// TLSv1.0's name there).
absl::Status ReadVersions(const json::Value& v, absl::string_view field, Policy& p) {
  absl::StatusOr<std::vector<std::string>> list = Strings(v, field);
  if (!list.ok()) return list.status();
  for (std::string& item : *list) {
    if (item == "TLSv1") item = "TLSv1.0";
    if (!IsVersionName(item)) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": unknown version \"", item,
                                                     "\" (want SSLv3, TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3)"));
    }
  }
  p.versions = *list;
  return absl::OkStatus();
}

// ReadSize reads a whole number of `unit` (null: no rule) into `to`.
absl::Status ReadSize(const json::Value& v, absl::string_view field, absl::string_view unit,
                      const std::function<void(int)>& to) {
  if (v.is_null()) return absl::OkStatus();
  absl::StatusOr<int> n = Bits(v, field, unit);
  if (!n.ok()) return n.status();
  to(*n);
  return absl::OkStatus();
}

// ReadNumbers reads the number fields: ipckit's min_dh_bits and Mozilla's
// sizes and lifespan.
absl::Status ReadNumbers(const std::string& key, const json::Value& v, Policy& p) {
  if (key == "min_dh_bits" || key == "dh_param_size") {
    return ReadSize(v, key, "bits", [&](int n) { p.min_dh_bits = n; });
  }
  if (key == "ecdh_param_size") return ReadSize(v, key, "bits", [&](int n) { p.min_ecdh_bits = n; });
  if (key == "rsa_key_size") return ReadSize(v, key, "bits", [&](int n) { p.min_key_bits["RSA"] = n; });
  return ReadSize(v, key, "days", [&](int n) { p.max_lifespan_days = n; });  // maximum_certificate_lifespan
}

// kNotJudged are Mozilla's fields a TLS probe has no facts for or that are
// advice: read, and written down in the README as not judged.
constexpr const char* kNotJudged[] = {"hsts_min_age", "oldest_clients", "recommended_certificate_lifespan"};

// ReadField reads one top-level field of a policy into `p`.
absl::Status ReadField(const std::string& key, const json::Value& v, Policy& p) {
  if (key == "name" || key == "source") {
    if (!v.is_string()) return absl::InvalidArgumentError(absl::StrCat(key, ": want a string"));
    (key == "name" ? p.name : p.source) = v.string();
  } else if (key == "versions" || key == "tls_versions") {
    return ReadVersions(v, key, p);
  } else if (key == "ciphers" && v.is_object()) {
    return ReadMozillaCiphers(v, p);
  } else if (key == "ciphers" || key == "ciphersuites") {
    return AddSuites(v, key, p);
  } else if (key == "forbid_ciphers") {
    absl::StatusOr<std::vector<std::string>> list = Strings(v, key);
    if (!list.ok()) return list.status();
    for (const std::string& item : *list) {
      if (absl::Status s = CheckCipherToken(item); !s.ok()) return absl::InvalidArgumentError(absl::StrCat(key, ": ", s.message()));
    }
    p.forbid_ciphers = *list;
  } else if (key == "require_forward_secrecy" || key == "ocsp_staple" || key == "server_preferred_order") {
    if (!v.is_bool()) return absl::InvalidArgumentError(absl::StrCat(key, ": want true or false"));
    (key == "ocsp_staple" ? p.ocsp_staple : key == "server_preferred_order" ? p.server_preferred_order
                                                                             : p.require_forward_secrecy) = v.boolean();
  } else if (key == "min_dh_bits" || key == "dh_param_size" || key == "ecdh_param_size" || key == "rsa_key_size" ||
             key == "maximum_certificate_lifespan") {
    return ReadNumbers(key, v, p);
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
  } else if (std::find(std::begin(kNotJudged), std::end(kNotJudged), key) == std::end(kNotJudged)) {
    return absl::InvalidArgumentError(absl::StrCat("unknown field \"", key, "\""));
  }
  return absl::OkStatus();
}

// ReadObject reads a policy object's fields into `p`.
absl::Status ReadObject(const json::Value& v, Policy& p) {
  if (!v.is_object()) return absl::InvalidArgumentError("want a JSON object");
  for (const auto& [key, value] : v.object()) {
    if (absl::Status s = ReadField(key, value, p); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// ReadGuidelines reads the configuration `name` of a Mozilla guidelines
// document ({"version", "href", "configurations"}) into `p`.
absl::Status ReadGuidelines(const json::Value& doc, absl::string_view name, Policy& p) {
  std::string version, href;
  const json::Value* configurations = nullptr;
  for (const auto& [key, value] : doc.object()) {
    if (key == "version" && value.is_number()) {
      version = absl::StrCat(value.number());
    } else if (key == "href" && value.is_string()) {
      href = value.string();
    } else if (key == "configurations" && value.is_object()) {
      configurations = &value;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("a guidelines document: bad field \"", key, "\""));
    }
  }
  std::vector<std::string> names;
  const json::Value* chosen = nullptr;
  for (const auto& [key, value] : configurations->object()) {
    names.push_back(key);
    if (key == name) chosen = &value;
  }
  if (name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("a Mozilla guidelines document: name one of its configurations (",
                                                   absl::StrJoin(names, ", "), ") with --policy"));
  }
  if (chosen == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("no configuration \"", name, "\" (it has ", absl::StrJoin(names, ", "), ")"));
  }
  if (absl::Status s = ReadObject(*chosen, p); !s.ok()) return absl::InvalidArgumentError(absl::StrCat(name, ": ", s.message()));
  p.name = std::string(name);
  p.source = absl::StrCat("Mozilla Server Side TLS guidelines ", version, " (", href, "), '", name, "' configuration");
  p.from_guidelines = true;
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

absl::StatusOr<Policy> ParsePolicy(absl::string_view text, absl::string_view origin, absl::string_view configuration) {
  auto fail = [&](absl::string_view m) { return absl::InvalidArgumentError(absl::StrCat(origin, ": ", m)); };
  absl::StatusOr<json::Value> v = json::ParseJson(text);
  if (!v.ok()) return fail(v.status().message());
  if (!v->is_object()) return fail("want a JSON object");
  Policy p;
  bool guidelines = std::any_of(v->object().begin(), v->object().end(),
                                [](const auto& member) { return member.first == "configurations"; });
  if (absl::Status s = guidelines ? ReadGuidelines(*v, configuration, p) : ReadObject(*v, p); !s.ok()) {
    return fail(s.message());
  }
  if (p.name.empty()) {  // The file's name, less its folder and ".json".
    absl::string_view stem = origin.substr(origin.rfind('/') + 1);
    if (absl::EndsWith(stem, ".json")) stem.remove_suffix(5);
    p.name = std::string(stem);
  }
  return p;
}

absl::StatusOr<Policy> BuiltinPolicy(absl::string_view name) {
  if (name != "modern" && name != "intermediate" && name != "old") {
    return absl::InvalidArgumentError(absl::StrCat("unknown policy \"", name, "\" (want modern, intermediate or old)"));
  }
  return ParsePolicy(kMozillaGuidelines, "testdata/policies/mozilla-5.7.json", name);
}

bool NeedsEnumeration(const Policy& p) {
  return p.versions || p.ciphers || !p.forbid_ciphers.empty() || p.require_forward_secrecy || p.min_dh_bits > 0 ||
         p.tls_curves || p.min_ecdh_bits > 0 || p.server_preferred_order;
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

// EcBits is an elliptic curve's size in bits, from its IANA name
// ("secp384r1" 384, "brainpoolP256r1" 256, "x448" 448); X25519 counts as
// 256, as Mozilla's tls_curves beside ecdh_param_size 256 has it.
int EcBits(absl::string_view iana) {
  if (iana == "x25519") return 256;
  size_t at = iana.find_first_of("0123456789");
  int bits = 0;
  for (; at < iana.size() && absl::ascii_isdigit(iana[at]); ++at) bits = bits * 10 + (iana[at] - '0');
  return bits;
}

// GroupViolations adds the groups accepted against tls_curves and
// ecdh_param_size. Elliptic curves only, as the fields' names say: FFDHE
// groups are dh_param_size's (min_dh_bits) and the post-quantum hybrids
// postdate 5.7.
void GroupViolations(const Policy& p, const Enumeration& e, const std::function<void(std::string)>& add) {
  std::vector<std::string> allowed;
  if (p.tls_curves) {
    for (const std::string& c : *p.tls_curves) allowed.push_back(GroupForTlsCurve(c));
  }
  for (const auto& [group, ok] : e.groups) {
    if (!ok || !IsEllipticCurve(group)) continue;
    if (p.tls_curves && std::count(allowed.begin(), allowed.end(), group) == 0) {
      add(absl::StrCat("group ", group, " accepted (allowed: ", absl::StrJoin(*p.tls_curves, ", "), ")"));
    }
    if (EcBits(group) < p.min_ecdh_bits) {
      add(absl::StrCat("group ", group, " of ", EcBits(group), " bits accepted (want at least ", p.min_ecdh_bits, ")"));
    }
  }
}

// SuiteViolations adds the versions and suites accepted against the
// policy's versions, ciphers, forbid_ciphers, require_forward_secrecy and
// server_preferred_order.
void SuiteViolations(const Policy& p, const Enumeration& e, const std::function<void(std::string)>& add) {
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
  // A server with one suite below TLS 1.3 (or none) has no order to keep.
  if (p.server_preferred_order && e.server_order_below_13 == false) {
    add("cipher order: the client's wins below TLS 1.3 (want the server's)");
  }
}

// KeyViolations adds the leaf's key against min_key_bits (rsa_key_size).
void KeyViolations(const Policy& p, const tls::CertInfo& leaf, const std::function<void(std::string)>& add) {
  if (p.min_key_bits.empty()) return;
  // An RSA-PSS key is an RSA key to a rule for RSA (Mozilla's
  // rsa_key_size); a key of unknown type cannot pass unjudged.
  auto want = p.min_key_bits.find(leaf.key_type);
  if (want == p.min_key_bits.end() && leaf.key_type == "RSA-PSS") want = p.min_key_bits.find("RSA");
  // An Ed25519 key is a 256-bit key (RFC 8032; as its name and Mozilla's
  // curve sizes count), though OpenSSL's bit count, which the report
  // keeps, says 253: a rule of 256 bits passes it.
  int bits = leaf.key_type == "Ed25519" ? std::max(leaf.key_bits, 256) : leaf.key_bits;
  if (leaf.key_type == "unknown") {
    add("certificate key could not be judged: its type is unknown to tlsprobe");
  } else if (want != p.min_key_bits.end() && bits < want->second) {
    add(absl::StrCat("certificate key ", leaf.key_type, " ", leaf.key_bits, " bits (want at least ", want->second, ")"));
  }
}

// StapleViolations adds the leaf's lifespan against
// maximum_certificate_lifespan, and ocsp_staple: a leaf that names an OCSP
// responder must come with a stapled response; one that names none has
// nothing a server could staple.
void StapleViolations(const Policy& p, const tls::CertInfo& leaf, std::optional<bool> stapled,
                      const std::function<void(std::string)>& add) {
  if (p.max_lifespan_days && leaf.lifespan_days > *p.max_lifespan_days) {
    add(absl::StrCat("certificate lifespan ", leaf.lifespan_days, " days (want at most ", *p.max_lifespan_days, ")"));
  }
  if (!p.ocsp_staple || leaf.ocsp_urls.empty()) return;
  if (!stapled) {
    add("OCSP stapling could not be judged: no handshake of tlsprobe's own completed");
  } else if (!*stapled) {
    add(absl::StrCat("no OCSP response stapled (the certificate names the responder ", leaf.ocsp_urls.front(), ")"));
  }
}

}  // namespace

std::vector<std::string> Violations(const Policy& p, const Enumeration& e, const tls::CertInfo* leaf,
                                    std::optional<bool> ocsp_stapled) {
  std::vector<std::string> out;
  std::string prefix = p.label.empty() ? absl::StrCat("policy ", p.name) : p.label;
  auto add = [&](std::string what) { out.push_back(absl::StrCat(prefix, ": ", what)); };
  SuiteViolations(p, e, add);
  GroupViolations(p, e, add);
  if (leaf != nullptr) {
    CertificateViolations(p, *leaf, add);
    StapleViolations(p, *leaf, ocsp_stapled, add);
  } else if (p.certificate_types || p.certificate_curves || p.certificate_signatures || !p.min_key_bits.empty() ||
             p.max_lifespan_days || p.ocsp_staple) {
    add("certificate could not be judged: none was seen (no handshake completed, and none came in the clear)");
  }
  if (p.min_dh_bits > 0 && !e.dh_bits.empty() && e.dh_bits.front() < p.min_dh_bits) {
    add(absl::StrCat("DHE prime of ", e.dh_bits.front(), " bits (want at least ", p.min_dh_bits, ")"));
  }
  if (leaf != nullptr) KeyViolations(p, *leaf, add);
  return out;
}

}  // namespace ipckit::tlsprobe
