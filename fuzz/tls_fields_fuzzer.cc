// tls_fields_fuzzer: what tlsprobe decodes from a server: certificates (DER,
// every field we format), stapled OCSP responses, SCT lists.
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/tls/cert_info.h"
#include "lib/tls/ocsp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)ipckit::tls::OcspCertStatus(bytes);
  (void)ipckit::tls::SctCount(bytes);
  const uint8_t* p = data;
  bssl::UniquePtr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(size)));
  if (cert) (void)ipckit::tls::DescribeCert(cert.get(), absl::FromUnixSeconds(1800000000));
  // As tlsprobe's enumeration hands it a leaf from a TLS 1.2 Certificate message.
  (void)ipckit::tls::DescribeDer(bytes, absl::FromUnixSeconds(1800000000));
  return 0;
}
