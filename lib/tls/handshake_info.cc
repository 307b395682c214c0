#include "lib/tls/handshake_info.h"

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "lib/tls/ocsp.h"
#include "lib/tls/tls_context.h"

namespace ipckit::tls {

HandshakeInfo DescribeHandshake(const SSL* ssl) {
  HandshakeInfo h;
  h.version_id = static_cast<uint16_t>(SSL_version(ssl));
  h.version = TlsVersionName(h.version_id);
  if (const SSL_CIPHER* c = SSL_get_current_cipher(ssl)) {
    h.cipher = SSL_CIPHER_standard_name(c);
    h.cipher_id = SSL_CIPHER_get_protocol_id(c);
  }
  if (uint16_t group = SSL_get_curve_id(ssl); group != 0) {
    const char* name = SSL_get_curve_name(group);
    h.group = name ? name : absl::StrCat("group ", group);
  }
  h.hello_retry = SSL_used_hello_retry_request(ssl) != 0;
  if (uint16_t sigalg = SSL_get_peer_signature_algorithm(ssl); sigalg != 0) {
    const char* name = SSL_get_signature_algorithm_name(sigalg, 1);
    h.peer_sigalg = name ? name : absl::StrCat("sigalg 0x", absl::Hex(sigalg));
  }
  const uint8_t* alpn = nullptr;
  unsigned alpn_len = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
  h.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_len);
  if (const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) h.sni = sni;
  h.resumed = SSL_session_reused(ssl) != 0;
  const uint8_t* data = nullptr;
  size_t len = 0;
  SSL_get0_ocsp_response(ssl, &data, &len);
  if (len > 0) {
    h.ocsp_stapled = true;
    absl::StatusOr<std::string> st = OcspCertStatus(absl::string_view(reinterpret_cast<const char*>(data), len));
    h.ocsp_status = st.ok() ? *st : absl::StrCat("unparsable: ", st.status().message());
  }
  SSL_get0_signed_cert_timestamp_list(ssl, &data, &len);
  if (len > 0) {
    absl::StatusOr<size_t> n = SctCount(absl::string_view(reinterpret_cast<const char*>(data), len));
    h.sct_count = n.ok() ? *n : 0;
  }
  return h;
}

}  // namespace ipckit::tls
