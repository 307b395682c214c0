// registry.h: IANA's TLS registries as tables: cipher suites (with
// OpenSSL's name and what each is made of), supported groups and signature
// schemes. The ClientHello engine (client_hello.h) offers their code points;
// tlsprobe names what servers choose with them.
//
// The suite table holds IANA's assigned suites: every one Debian's OpenSSL 3
// knows (`openssl ciphers -V -stdname ALL:COMPLEMENTOFALL:@SECLEVEL=0`, 158)
// and those it dropped or never had: export, RC4, DES, 3DES, IDEA, SEED,
// NULL-NULL, static DH and ECDH, Kerberos, SRP with certificates, the
// CAMELLIA-GCM and ARIA-CBC families, ECCPWD, ECDHE-PSK AEAD, GOST, SM4,
// AEGIS and TLS 1.3's CCM suites: 336 in all. Not in it: the signalling
// values (0x00FF, 0x5600), Fortezza (never deployed) and private-use ranges.
//
// Threads: constant tables and pure lookups: any thread.
#ifndef IPCKIT_LIB_TLS_REGISTRY_H_
#define IPCKIT_LIB_TLS_REGISTRY_H_

#include <stdint.h>

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace ipckit::tls {

// Kx is a suite's key exchange (kAny: TLS 1.3, where the group decides;
// kDh and kEcdh: static keys from the certificate, no forward secrecy).
enum class Kx : uint8_t {
  kNull, kRsa, kDhe, kEcdhe, kDh, kEcdh, kPsk, kDhePsk, kEcdhePsk, kRsaPsk, kSrp, kKrb5, kEccpwd, kGost, kAny,
};
// Auth is how the server is authenticated (kNone: anonymous).
enum class Auth : uint8_t { kNone, kRsa, kDss, kEcdsa, kPsk, kSrp, kKrb5, kEccpwd, kGost, kAny };
// Bulk is the record cipher.
enum class Bulk : uint8_t {
  kNull, kRc4, kRc2, kDes, k3Des, kIdea, kSeed, kAesCbc, kAesGcm, kAesCcm, kAesCcm8, kCamelliaCbc,
  kCamelliaGcm, kAriaCbc, kAriaGcm, kChaCha20Poly1305, kKuznyechikCtr, kMagmaCtr, kGost28147,
  kKuznyechikMgm, kMagmaMgm, kSm4Gcm, kSm4Ccm, kAegis,
};
enum class Mac : uint8_t { kMd5, kSha1, kSha256, kSha384, kGost, kAead };

struct SuiteInfo {
  uint16_t code;
  const char* iana;       // "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
  const char* openssl;    // "ECDHE-RSA-AES128-GCM-SHA256"
  uint16_t min_version;   // 0x0300 (SSLv3) .. 0x0304 (TLS 1.3 only).
  Kx kx;
  Auth auth;
  Bulk bulk;
  int bits;               // The bulk cipher's key bits (40 for export).
  Mac mac;
  bool export_grade;

  bool tls13() const { return min_version == 0x0304; }
  bool anonymous() const { return auth == Auth::kNone; }
  bool null_cipher() const { return bulk == Bulk::kNull; }
  bool aead() const { return mac == Mac::kAead; }
  bool cbc() const {
    return bulk == Bulk::kRc2 || bulk == Bulk::kDes || bulk == Bulk::k3Des || bulk == Bulk::kIdea ||
           bulk == Bulk::kSeed || bulk == Bulk::kAesCbc || bulk == Bulk::kCamelliaCbc || bulk == Bulk::kAriaCbc;
  }
  bool forward_secret() const {
    return kx == Kx::kDhe || kx == Kx::kEcdhe || kx == Kx::kDhePsk || kx == Kx::kEcdhePsk || kx == Kx::kAny;
  }
};

// Suites returns the table, ordered by code point.
absl::Span<const SuiteInfo> Suites();

// FindSuite returns the suite with `code`, or nullptr.
const SuiteInfo* FindSuite(uint16_t code);

// FindSuiteByName returns the suite whose IANA or OpenSSL name is `name`,
// or nullptr.
const SuiteInfo* FindSuiteByName(absl::string_view name);

// SuiteName is the IANA name of `code`, or "0xC0FF (unknown)".
std::string SuiteName(uint16_t code);

// SuitesFor returns the code points a ClientHello for `version` can offer
// (TLS 1.3: its thirteen suites; below: every suite whose min_version allows
// it), strongest first as clients offer them: forward secret, then AEAD,
// then ECDHE before DHE, then key bits; code point order among equals.
std::vector<uint16_t> SuitesFor(uint16_t version);

struct GroupInfo {
  uint16_t code;
  const char* iana;       // "x25519", "secp256r1", "ffdhe2048", "X25519MLKEM768"
  const char* openssl;    // "X25519", "P-256", "ffdhe2048", "X25519MLKEM768"
  bool ecdhe_tls12;       // Usable for ECDHE in TLS <= 1.2 (a named curve).
};

// Groups returns IANA's supported groups that servers are found with:
// elliptic curves (incl. brainpool and the binary sect* curves), X25519,
// X448, FFDHE and the post-quantum hybrids (ML-KEM and the Kyber drafts).
absl::Span<const GroupInfo> Groups();
const GroupInfo* FindGroup(uint16_t code);
// GroupName is the IANA name of `code`, or "0x1234 (unknown)".
std::string GroupName(uint16_t code);

struct SignatureSchemeInfo {
  uint16_t code;
  const char* iana;       // "ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256"
};

// SignatureSchemes returns IANA's signature schemes, the legacy SHA-1 and
// SHA-224 ones included.
absl::Span<const SignatureSchemeInfo> SignatureSchemes();
// SignatureSchemeName is the IANA name of `code`, or "0x1234 (unknown)".
std::string SignatureSchemeName(uint16_t code);

}  // namespace ipckit::tls

#endif  // IPCKIT_LIB_TLS_REGISTRY_H_
