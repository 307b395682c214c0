// client_hello.h: a ClientHello for any version, suites, groups, signature
// schemes and extensions, written byte by byte (RFC 5246 / RFC 8446), so that
// a scanner can offer what no TLS library would (one TLS 1.3 suite, an
// export suite, SSLv3, DEFLATE, the heartbeat extension). No key is needed:
// a TLS 1.3 hello carries an empty key_share, so a server that accepts it
// answers with a HelloRetryRequest naming its group and suite; nothing is
// ever completed. What comes back is read by server_flight.h.
//
//   ClientHelloSpec s;
//   s.version = 0x0304;
//   s.suites = {0x1301};                    // TLS_AES_128_GCM_SHA256 only
//   s.groups = {29};                        // x25519
//   std::string bytes = BuildClientHello(s);  // one handshake record
//
// Threads: pure builders: any thread.
#ifndef IPCKIT_LIB_TLS_CLIENT_HELLO_H_
#define IPCKIT_LIB_TLS_CLIENT_HELLO_H_

#include <stdint.h>

#include <string>
#include <vector>

namespace ipckit::tls {

// Extension code points the engine writes or reads.
inline constexpr uint16_t kExtServerName = 0;
inline constexpr uint16_t kExtSupportedGroups = 10;
inline constexpr uint16_t kExtEcPointFormats = 11;
inline constexpr uint16_t kExtSignatureAlgorithms = 13;
inline constexpr uint16_t kExtHeartbeat = 15;
inline constexpr uint16_t kExtAlpn = 16;
inline constexpr uint16_t kExtExtendedMasterSecret = 23;
inline constexpr uint16_t kExtPadding = 21;
inline constexpr uint16_t kExtSessionTicket = 35;
inline constexpr uint16_t kExtSupportedVersions = 43;
inline constexpr uint16_t kExtKeyShare = 51;
inline constexpr uint16_t kExtRenegotiationInfo = 0xFF01;
// Signalling suites: not suites, but flags in the suite list.
inline constexpr uint16_t kEmptyRenegotiationInfoScsv = 0x00FF;
inline constexpr uint16_t kFallbackScsv = 0x5600;

struct ClientHelloSpec {
  // version: 0x0300 (SSLv3) .. 0x0303 (TLS 1.2) go in legacy_version; 0x0304
  // sends legacy_version 0x0303 and supported_versions [0x0304].
  uint16_t version = 0x0303;
  std::vector<uint16_t> suites;
  std::vector<uint16_t> groups;           // supported_groups; none: omitted.
  std::vector<uint16_t> signature_schemes;  // TLS >= 1.2; none: a broad default list.
  std::vector<uint8_t> compression = {0};   // 1 = DEFLATE first to test CRIME.
  std::string server_name;                  // SNI; "" for none.
  std::vector<std::string> alpn;
  bool renegotiation_info = true;   // An empty renegotiation_info (RFC 5746).
  bool heartbeat = false;           // heartbeat, peer_allowed_to_send (RFC 6520).
  bool session_ticket = false;      // An empty SessionTicket (RFC 5077).
  bool extended_master_secret = true;
  bool fallback_scsv = false;       // TLS_FALLBACK_SCSV (RFC 7507) appended.
};

// BuildClientHello returns the ClientHello as one TLS record (record version
// 0x0301, or 0x0300 for SSLv3). Extensions are left out for SSLv3; a hello
// that would be 256 to 511 bytes long gets a padding extension to 512.
std::string BuildClientHello(const ClientHelloSpec& spec);

// DefaultSignatureSchemes is what a hello of `version` offers when
// spec.signature_schemes is empty: every scheme of registry.h, the dsa_*
// ones only below TLS 1.3 (RFC 8446 reserves them), so that a server with a
// DSA certificate answers a TLS 1.2 hello as it does sslscan's.
std::vector<uint16_t> DefaultSignatureSchemes(uint16_t version);

}  // namespace ipckit::tls

#endif  // IPCKIT_LIB_TLS_CLIENT_HELLO_H_
