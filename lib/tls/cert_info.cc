#include "lib/tls/cert_info.h"

#include <openssl/base64.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec_key.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/pem.h>
#include <openssl/obj.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include <arpa/inet.h>
#include <time.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/numbers.h"
#include "lib/tls/tls_error.h"

namespace ipckit::tls {
namespace {

std::string BioText(BIO* bio) {
  const uint8_t* data = nullptr;
  size_t len = 0;
  BIO_mem_contents(bio, &data, &len);
  return std::string(reinterpret_cast<const char*>(data), len);
}

std::string NameText(X509_NAME* name) {
  bssl::UniquePtr<BIO> bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return BioText(bio.get());
}

std::string Hex(const uint8_t* data, size_t len) {
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(data), len));
}

std::string Iso8601(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }

std::vector<std::string> SubjectAltNames(X509* cert) {
  std::vector<std::string> out;
  bssl::UniquePtr<GENERAL_NAMES> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return out;
  for (size_t i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    if (gn->type == GEN_DNS || gn->type == GEN_EMAIL || gn->type == GEN_URI) {
      const ASN1_IA5STRING* s = gn->d.ia5;
      std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), ASN1_STRING_length(s));
      const char* kind = gn->type == GEN_DNS ? "DNS:" : gn->type == GEN_EMAIL ? "email:" : "URI:";
      out.push_back(absl::StrCat(kind, absl::CHexEscape(value)));
    } else if (gn->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = gn->d.ip;
      char text[INET6_ADDRSTRLEN] = "?";
      int len = ASN1_STRING_length(ip);
      if (len == 4 || len == 16) {
        inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(ip), text, sizeof(text));
      }
      out.push_back(absl::StrCat("IP:", text));
    } else {
      out.push_back("othername:<unsupported>");
    }
  }
  return out;
}

// CurveBits is the size of a named curve BoringSSL does not implement, or 0.
int CurveBits(int nid) {
  switch (nid) {
    case NID_brainpoolP160r1: case NID_brainpoolP160t1: return 160;
    case NID_brainpoolP192r1: case NID_brainpoolP192t1: return 192;
    case NID_brainpoolP224r1: case NID_brainpoolP224t1: return 224;
    case NID_brainpoolP256r1: case NID_brainpoolP256t1: return 256;
    case NID_brainpoolP320r1: case NID_brainpoolP320t1: return 320;
    case NID_brainpoolP384r1: case NID_brainpoolP384t1: return 384;
    case NID_brainpoolP512r1: case NID_brainpoolP512t1: return 512;
    default: return 0;
  }
}

// DescribeRawKey reads the key's type and size from the certificate's
// SubjectPublicKeyInfo itself, for the keys BoringSSL does not parse:
// RSA-PSS (id-RSASSA-PSS), EC on the brainpool curves, Ed448. Anything else
// stays "unknown" with 0 bits.
void DescribeRawKey(X509* cert, CertInfo* info) {
  info->key_type = "unknown";
  X509_PUBKEY* pub = X509_get_X509_PUBKEY(cert);
  ASN1_OBJECT* obj = nullptr;
  const uint8_t* key = nullptr;
  int len = 0;
  X509_ALGOR* alg = nullptr;
  if (pub == nullptr || !X509_PUBKEY_get0_param(&obj, &key, &len, &alg, pub)) return;
  int nid = OBJ_obj2nid(obj);
  if (nid == NID_rsassaPss) {
    bssl::UniquePtr<RSA> rsa(RSA_public_key_from_bytes(key, static_cast<size_t>(len)));
    if (rsa) {
      info->key_type = "RSA-PSS";
      info->key_bits = static_cast<int>(RSA_bits(rsa.get()));
    }
  } else if (nid == NID_X9_62_id_ecPublicKey && alg != nullptr) {
    const ASN1_OBJECT* algorithm = nullptr;
    int type = 0;
    const void* value = nullptr;
    X509_ALGOR_get0(&algorithm, &type, &value, alg);
    int curve = type == V_ASN1_OBJECT ? OBJ_obj2nid(static_cast<const ASN1_OBJECT*>(value)) : NID_undef;
    if (CurveBits(curve) > 0) {
      info->key_type = "EC";
      info->key_bits = CurveBits(curve);
      info->key_curve = OBJ_nid2sn(curve);
    }
  } else if (nid == NID_ED448) {
    info->key_type = "Ed448";
    info->key_bits = 456;  // As OpenSSL counts it (Ed25519: 253).
  }
  ERR_clear_error();
}

void DescribeKey(X509* cert, CertInfo* info) {
  bssl::UniquePtr<EVP_PKEY> key(X509_get_pubkey(cert));
  if (!key) {
    ERR_clear_error();
    DescribeRawKey(cert, info);
    return;
  }
  info->key_bits = EVP_PKEY_bits(key.get());
  switch (EVP_PKEY_id(key.get())) {
    case EVP_PKEY_RSA: info->key_type = "RSA"; break;
    case EVP_PKEY_EC: {
      info->key_type = "EC";
      const EC_KEY* ec = EVP_PKEY_get0_EC_KEY(key.get());
      int nid = EC_GROUP_get_curve_name(EC_KEY_get0_group(ec));
      switch (nid) {
        case NID_X9_62_prime256v1: info->key_curve = "P-256"; break;
        case NID_secp384r1: info->key_curve = "P-384"; break;
        case NID_secp521r1: info->key_curve = "P-521"; break;
        case NID_secp224r1: info->key_curve = "P-224"; break;
        default: info->key_curve = OBJ_nid2sn(nid) ? OBJ_nid2sn(nid) : "unknown";
      }
      break;
    }
    case EVP_PKEY_ED25519: info->key_type = "Ed25519"; break;
    case EVP_PKEY_DSA: info->key_type = "DSA"; break;
    default: info->key_type = "unknown";
  }
}

// OcspUrls returns the URIs of the OCSP responders the certificate's
// Authority Information Access extension names; empty without one.
std::vector<std::string> OcspUrls(X509* cert) {
  std::vector<std::string> out;
  std::unique_ptr<AUTHORITY_INFO_ACCESS, decltype(&AUTHORITY_INFO_ACCESS_free)> aia(
      static_cast<AUTHORITY_INFO_ACCESS*>(X509_get_ext_d2i(cert, NID_info_access, nullptr, nullptr)),
      &AUTHORITY_INFO_ACCESS_free);
  ERR_clear_error();  // No extension, or one that does not decode: no responder named.
  if (!aia) return out;
  for (size_t i = 0; i < sk_ACCESS_DESCRIPTION_num(aia.get()); ++i) {
    const ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia.get(), i);
    if (OBJ_obj2nid(ad->method) != NID_ad_OCSP || ad->location->type != GEN_URI) continue;
    const ASN1_STRING* uri = ad->location->d.uniformResourceIdentifier;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)), ASN1_STRING_length(uri));
  }
  return out;
}

}  // namespace

absl::StatusOr<absl::Time> ParseAsn1Time(const ASN1_TIME* t) {
  bssl::UniquePtr<ASN1_GENERALIZEDTIME> g(ASN1_TIME_to_generalizedtime(t, nullptr));
  std::string text = t ? std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(t)),
                                     ASN1_STRING_length(t))
                       : "";
  if (!g) return absl::InvalidArgumentError(absl::StrCat("bad ASN.1 time ", text));
  std::string s(reinterpret_cast<const char*>(ASN1_STRING_get0_data(g.get())), ASN1_STRING_length(g.get()));
  // YYYYMMDDHHMMSSZ is all BoringSSL produces from a certificate.
  struct tm tm = {};
  int y, mo, d, h, mi, sec;
  if (s.size() != 15 || s[14] != 'Z' ||
      sscanf(s.c_str(), "%4d%2d%2d%2d%2d%2d", &y, &mo, &d, &h, &mi, &sec) != 6 || mo < 1 || mo > 12 ||
      d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) {
    return absl::InvalidArgumentError(absl::StrCat("bad ASN.1 time ", s));
  }
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  return absl::FromTimeT(timegm(&tm));
}

absl::StatusOr<CertInfo> DescribeDer(absl::string_view der, absl::Time now) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(der.data());
  bssl::UniquePtr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) {
    ERR_clear_error();
    return absl::InvalidArgumentError("certificate: not DER");
  }
  return DescribeCert(cert.get(), now);
}

absl::StatusOr<CertInfo> DescribeCert(X509* cert, absl::Time now) {
  CertInfo info;
  info.subject = NameText(X509_get_subject_name(cert));
  info.issuer = NameText(X509_get_issuer_name(cert));
  info.self_issued = X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0;
  info.san = SubjectAltNames(cert);
  absl::StatusOr<absl::Time> nb = ParseAsn1Time(X509_get0_notBefore(cert));
  if (!nb.ok()) return absl::InvalidArgumentError(absl::StrCat("certificate not before: ", nb.status().message()));
  absl::StatusOr<absl::Time> na = ParseAsn1Time(X509_get0_notAfter(cert));
  if (!na.ok()) return absl::InvalidArgumentError(absl::StrCat("certificate not after: ", na.status().message()));
  info.not_before = Iso8601(*nb);
  info.not_after = Iso8601(*na);
  info.days_left = static_cast<int64_t>(absl::Floor(*na - now, absl::Hours(24)) / absl::Hours(24));
  info.lifespan_days = static_cast<int64_t>(absl::Floor(*na - *nb, absl::Hours(24)) / absl::Hours(24));
  info.ocsp_urls = OcspUrls(cert);
  DescribeKey(cert, &info);
  int sig_nid = X509_get_signature_nid(cert);
  info.signature_algorithm = OBJ_nid2ln(sig_nid) ? OBJ_nid2ln(sig_nid) : "unknown";

  uint8_t* der = nullptr;
  int der_len = i2d_X509(cert, &der);
  if (der_len <= 0) return TlsError(absl::StatusCode::kInvalidArgument, "certificate: encode");
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<size_t>(der_len), digest);
  OPENSSL_free(der);
  info.sha256 = Hex(digest, sizeof(digest));

  uint8_t* spki = nullptr;
  int spki_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &spki);
  if (spki_len <= 0) return TlsError(absl::StatusCode::kInvalidArgument, "certificate: encode public key");
  SHA256(spki, static_cast<size_t>(spki_len), digest);
  OPENSSL_free(spki);
  info.spki_sha256 = absl::Base64Escape(absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));

  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  info.serial = Hex(ASN1_STRING_get0_data(serial), static_cast<size_t>(ASN1_STRING_length(serial)));

  bssl::UniquePtr<BIO> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  info.pem = BioText(bio.get());
  return info;
}

absl::StatusOr<std::vector<CertInfo>> DescribePeerChain(const SSL* ssl, absl::Time now) {
  std::vector<CertInfo> out;
  STACK_OF(X509)* chain = SSL_get_peer_full_cert_chain(ssl);
  if (chain == nullptr) return out;
  for (size_t i = 0; i < sk_X509_num(chain); ++i) {
    absl::StatusOr<CertInfo> info = DescribeCert(sk_X509_value(chain, i), now);
    if (!info.ok()) return info.status();
    out.push_back(*std::move(info));
  }
  return out;
}

std::string FormatSpkiPin(const CertInfo& info) { return absl::StrCat("sha256//", info.spki_sha256); }

absl::StatusOr<std::vector<std::string>> ParseSpkiPins(absl::string_view text) {
  std::vector<std::string> pins;
  for (absl::string_view p : absl::StrSplit(text, ';', absl::SkipEmpty())) {
    if (!absl::StartsWith(p, "sha256//") || p.size() != 8 + 44) {
      return absl::InvalidArgumentError(absl::StrCat("want sha256//BASE64 (44 characters), got '", p, "'"));
    }
    pins.emplace_back(p);
  }
  return pins;
}

absl::Status CheckSpkiPins(const SSL* ssl, const std::vector<std::string>& pins) {
  if (pins.empty()) return absl::OkStatus();
  absl::StatusOr<std::vector<CertInfo>> chain = DescribePeerChain(ssl, absl::Now());
  if (!chain.ok()) return chain.status();
  if (chain->empty()) return absl::UnauthenticatedError("TLS: certificate pin mismatch: no certificate");
  for (const CertInfo& c : *chain) {
    for (const std::string& p : pins) {
      if (FormatSpkiPin(c) == p) return absl::OkStatus();
    }
  }
  return absl::UnauthenticatedError(
      absl::StrCat("TLS: certificate pin mismatch: the server's key is ", FormatSpkiPin((*chain)[0])));
}

}  // namespace ipckit::tls
