// ocsp.h reads the one fact a TLS client wants from a stapled OCSP response
// (RFC 6960): the status of the first certificate it covers. It decodes the
// DER structure only; it does not check the responder's signature.
//
// Example:
//
//   const uint8_t* der; size_t len;
//   SSL_get0_ocsp_response(ssl, &der, &len);
//   absl::StatusOr<std::string> st = OcspCertStatus(absl::string_view(
//       reinterpret_cast<const char*>(der), len));   // "good"
//
// Threads: pure decoders: any thread.
#ifndef IPCKIT_LIB_TLS_OCSP_H_
#define IPCKIT_LIB_TLS_OCSP_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipckit::tls {

// OcspCertStatus returns "good", "revoked" or "unknown" for a successful
// response, the responder's status ("tryLater", "unauthorized", ...) for an
// unsuccessful one, or kInvalidArgument "OCSP response: bad ..." naming the
// part that failed to decode.
absl::StatusOr<std::string> OcspCertStatus(absl::string_view der);

// SctCount returns the number of SCTs in a SignedCertificateTimestampList
// (RFC 6962 3.3), or kInvalidArgument "SCT list: bad length".
absl::StatusOr<size_t> SctCount(absl::string_view list);

}  // namespace ipckit::tls

#endif  // IPCKIT_LIB_TLS_OCSP_H_
