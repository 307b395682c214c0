// cert_info.h describes X.509 certificates the way people check them: who
// it names, who signed it, for which names, until when, with what key, and
// the two hashes scripts pin (the certificate's SHA-256 and the SPKI pin
// "sha256//BASE64" of HPKP and curl's --pinnedpubkey).
//
// Example:
//
//   absl::StatusOr<CertInfo> info = DescribeCert(x509, absl::Now());
//   // info->subject == "CN=localhost", info->san == {"DNS:localhost",
//   // "IP:127.0.0.1"}, info->days_left == 36500, info->key == "EC P-256".
//
// Threads: any thread; the SSL* given must not be used by another thread
// meanwhile.
#ifndef IPCKIT_LIB_TLS_CERT_INFO_H_
#define IPCKIT_LIB_TLS_CERT_INFO_H_

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdint.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ipckit::tls {

struct CertInfo {
  std::string subject;              // RFC 2253: "CN=localhost,O=ipckit".
  std::string issuer;
  std::vector<std::string> san;     // "DNS:localhost", "IP:127.0.0.1", "IP:::1", "email:..".
  std::string not_before;           // "2026-01-01T00:00:00Z".
  std::string not_after;
  int64_t days_left = 0;            // Whole days from `now` to not_after; < 0 once expired.
  int64_t lifespan_days = 0;        // Whole days from not_before to not_after (Mozilla's lifespan).
  std::string key_type;             // "RSA", "RSA-PSS", "EC", "Ed25519", "Ed448", "DSA", or "unknown".
  int key_bits = 0;
  std::string key_curve;            // "P-256" for EC keys, else "".
  std::string signature_algorithm;  // "ecdsa-with-SHA256".
  std::string sha256;               // Hex of the DER certificate.
  std::string spki_sha256;          // Base64 of SHA-256 of the SubjectPublicKeyInfo.
  std::string serial;               // Hex.
  bool self_issued = false;         // subject == issuer.
  std::vector<std::string> ocsp_urls;  // The OCSP responders its Authority Information Access names.
  std::string pem;
};

// DescribeCert returns the description of `cert`, measuring days_left from
// `now`, or kInvalidArgument "certificate: ..." when a field cannot be
// decoded.
absl::StatusOr<CertInfo> DescribeCert(X509* cert, absl::Time now);

// DescribeDer is DescribeCert for a DER certificate as a peer sent it (a
// TLS 1.2 Certificate message read without a handshake), or
// kInvalidArgument "certificate: not DER" for bytes that do not parse.
absl::StatusOr<CertInfo> DescribeDer(absl::string_view der, absl::Time now);

// DescribePeerChain returns the peer's chain as sent, leaf first (empty when
// no certificate arrived), or the first field that could not be decoded.
absl::StatusOr<std::vector<CertInfo>> DescribePeerChain(const SSL* ssl, absl::Time now);

// ParseAsn1Time converts an ASN.1 UTCTime or GeneralizedTime to a time, or
// fails with kInvalidArgument "bad ASN.1 time 20261301000000Z".
absl::StatusOr<absl::Time> ParseAsn1Time(const ASN1_TIME* t);

// FormatSpkiPin returns "sha256//" followed by the base64 SPKI hash, the form
// `--expect-spki-pin` and nc's `--ssl-pin` accept.
std::string FormatSpkiPin(const CertInfo& info);

// ParseSpkiPins splits a ';'-separated list of pins ("sha256//A;sha256//B",
// empty parts skipped), or fails with kInvalidArgument "want sha256//BASE64
// (44 characters), got 'x'" (callers put their option's name in front).
absl::StatusOr<std::vector<std::string>> ParseSpkiPins(absl::string_view text);

// CheckSpkiPins returns OK when `pins` is empty or names the key of a
// certificate in the chain the peer of `ssl` sent, else kUnauthenticated
// "TLS: certificate pin mismatch: the server's key is sha256//..." (or
// "...: no certificate"), or the chain's decoding error.
absl::Status CheckSpkiPins(const SSL* ssl, const std::vector<std::string>& pins);

}  // namespace ipckit::tls

#endif  // IPCKIT_LIB_TLS_CERT_INFO_H_
