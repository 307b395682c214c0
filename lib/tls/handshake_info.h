// handshake_info.h reports what a finished TLS handshake agreed on, in the
// names people search for: "TLSv1.3", IANA suite names
// ("TLS_AES_128_GCM_SHA256"), group names ("X25519"), signature algorithms
// ("ecdsa_secp256r1_sha256"), plus ALPN, SNI, resumption, a HelloRetryRequest,
// and the stapled OCSP response and SCTs.
//
// Example:
//
//   HandshakeInfo h = DescribeHandshake(tls->ssl());
//   std::cout << h.version << " " << h.cipher << "\n";  // TLSv1.3 TLS_AES_...
//
// Threads: any thread; the SSL* given must not be used by another thread
// meanwhile.
#ifndef IPCKIT_LIB_TLS_HANDSHAKE_INFO_H_
#define IPCKIT_LIB_TLS_HANDSHAKE_INFO_H_

#include <openssl/ssl.h>
#include <stdint.h>

#include <string>

namespace ipckit::tls {

struct HandshakeInfo {
  std::string version;      // "TLSv1.2".
  uint16_t version_id = 0;
  std::string cipher;       // IANA name.
  uint16_t cipher_id = 0;
  std::string group;        // "" when none (RSA key exchange).
  bool hello_retry = false;
  std::string peer_sigalg;  // "" when none (resumption, RSA key exchange).
  std::string alpn;         // "" when none was agreed.
  std::string sni;          // The server name sent (client) or received (server).
  bool resumed = false;
  bool ocsp_stapled = false;
  std::string ocsp_status;  // OcspCertStatus, or "unparsable: ..." when stapled but bad.
  size_t sct_count = 0;
};

// DescribeHandshake returns what `ssl`'s completed handshake agreed on.
HandshakeInfo DescribeHandshake(const SSL* ssl);

}  // namespace ipckit::tls

#endif  // IPCKIT_LIB_TLS_HANDSHAKE_INFO_H_
