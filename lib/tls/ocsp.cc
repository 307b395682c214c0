#include "lib/tls/ocsp.h"

#include <openssl/bytestring.h>

#include "absl/strings/str_cat.h"

namespace ipckit::tls {
namespace {

absl::Status Bad(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("OCSP response: bad ", what));
}

constexpr unsigned kExplicit0 = CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 0;

}  // namespace

absl::StatusOr<std::string> OcspCertStatus(absl::string_view der) {
  CBS in, response, status_cbs;
  CBS_init(&in, reinterpret_cast<const uint8_t*>(der.data()), der.size());
  if (!CBS_get_asn1(&in, &response, CBS_ASN1_SEQUENCE) || CBS_len(&in) != 0) return Bad("outer sequence");
  if (!CBS_get_asn1(&response, &status_cbs, CBS_ASN1_ENUMERATED) || CBS_len(&status_cbs) != 1) {
    return Bad("responseStatus");
  }
  static const char* const kStatus[] = {"successful", "malformedRequest", "internalError", "tryLater",
                                        "(4)", "sigRequired", "unauthorized"};
  uint8_t status = CBS_data(&status_cbs)[0];
  if (status != 0) {
    if (status < sizeof(kStatus) / sizeof(kStatus[0])) return std::string(kStatus[status]);
    return Bad("responseStatus");
  }
  CBS bytes_explicit, bytes, type, octets, basic, tbs, single_list, single, cert_id;
  if (!CBS_get_asn1(&response, &bytes_explicit, kExplicit0) ||
      !CBS_get_asn1(&bytes_explicit, &bytes, CBS_ASN1_SEQUENCE) ||
      !CBS_get_asn1(&bytes, &type, CBS_ASN1_OBJECT) ||
      !CBS_get_asn1(&bytes, &octets, CBS_ASN1_OCTETSTRING)) {
    return Bad("responseBytes");
  }
  if (!CBS_get_asn1(&octets, &basic, CBS_ASN1_SEQUENCE) || !CBS_get_asn1(&basic, &tbs, CBS_ASN1_SEQUENCE)) {
    return Bad("BasicOCSPResponse");
  }
  // ResponseData: [0] version OPTIONAL, responderID ([1] or [2]), producedAt,
  // responses.
  if (!CBS_get_optional_asn1(&tbs, nullptr, nullptr, kExplicit0) ||
      !CBS_get_any_asn1_element(&tbs, nullptr, nullptr, nullptr) ||
      !CBS_get_asn1(&tbs, nullptr, CBS_ASN1_GENERALIZEDTIME)) {
    return Bad("ResponseData");
  }
  if (!CBS_get_asn1(&tbs, &single_list, CBS_ASN1_SEQUENCE) ||
      !CBS_get_asn1(&single_list, &single, CBS_ASN1_SEQUENCE) ||
      !CBS_get_asn1(&single, &cert_id, CBS_ASN1_SEQUENCE)) {
    return Bad("SingleResponse");
  }
  unsigned tag;
  if (!CBS_get_any_asn1(&single, &cert_id, &tag)) return Bad("certStatus");
  if (tag == (CBS_ASN1_CONTEXT_SPECIFIC | 0)) return std::string("good");
  if (tag == (CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 1)) return std::string("revoked");
  if (tag == (CBS_ASN1_CONTEXT_SPECIFIC | 2)) return std::string("unknown");
  return Bad("certStatus");
}

absl::StatusOr<size_t> SctCount(absl::string_view list) {
  CBS in, scts;
  CBS_init(&in, reinterpret_cast<const uint8_t*>(list.data()), list.size());
  if (!CBS_get_u16_length_prefixed(&in, &scts) || CBS_len(&in) != 0) {
    return absl::InvalidArgumentError("SCT list: bad length");
  }
  size_t n = 0;
  while (CBS_len(&scts) > 0) {
    CBS sct;
    if (!CBS_get_u16_length_prefixed(&scts, &sct) || CBS_len(&sct) == 0) {
      return absl::InvalidArgumentError("SCT list: bad length");
    }
    ++n;
  }
  return n;
}

}  // namespace ipckit::tls
