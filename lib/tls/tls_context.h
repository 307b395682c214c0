// tls_context.h configures TLS once per process side: TlsContext wraps an
// SSL_CTX for a client or a server with ipckit's safe defaults. A client
// verifies the server's certificate against the system bundle (or
// TlsOptions::ca_file) unless `verify` is false; the host name or IP address
// to check is given per connection (TlsStream::Client). A server presents
// cert_file/key_file and, with client_ca_file, requires client certificates.
//
// Example:
//
//   TlsOptions o;
//   o.ca_file = "testdata/tls/ca.pem";
//   o.alpn = {"h2", "http/1.1"};
//   absl::StatusOr<TlsContext> ctx = TlsContext::Client(o);
//   // ctx->get() is the SSL_CTX*; TlsStream::Client(*ctx, ...) uses it.
//
// Threads: a TlsContext is built on one thread and may then be shared
// read-only by many (echod's and relay's workers make their connections from
// one context); its callbacks reach only the connection they are called for.
#ifndef IPCKIT_LIB_TLS_TLS_CONTEXT_H_
#define IPCKIT_LIB_TLS_TLS_CONTEXT_H_

#include <openssl/ssl.h>
#include <stdint.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipckit::tls {

// kSystemCaFile is Debian's bundle of trusted roots. BoringSSL's compiled-in
// default path does not exist on Debian, so clients load this file instead.
inline constexpr char kSystemCaFile[] = "/etc/ssl/certs/ca-certificates.crt";

struct TlsOptions {
  // Client: verify the server's chain and name; a failure ends the handshake.
  // With false the chain is still checked and the result reported
  // (TlsStream::verify_result), but the handshake goes on.
  bool verify = true;
  std::string ca_file;          // Client trust anchors; "" means kSystemCaFile.
  std::string cert_file;        // PEM chain, leaf first (server; client cert).
  std::string key_file;         // PEM private key for cert_file.
  std::string client_ca_file;   // Server: require client certificates from it.
  std::vector<std::string> alpn;  // Offered (client) or accepted, in order (server).
  uint16_t min_version = 0;     // TLS1_VERSION..TLS1_3_VERSION; 0 = default.
  uint16_t max_version = 0;
  std::string ciphers;          // TLS <= 1.2 suites, BoringSSL syntax.
  std::string groups;           // "X25519:P-256".
  // Server: also accept TLS 1.0 and 1.1, the non-AEAD suites and SHA-1
  // handshake signatures (BoringSSL's own defaults), to test old clients.
  // Without it a server speaks TLS 1.2 and 1.3 only, with ECDHE and AEAD
  // suites (kServerCiphers: Mozilla's "intermediate" profile) unless
  // min_version or ciphers say otherwise, and signs with SHA-256 or better.
  bool legacy = false;
};

// kServerCiphers are a server's TLS 1.2 suites unless told otherwise:
// forward secret (ECDHE) and AEAD (AES-GCM, ChaCha20-Poly1305) only, as
// Mozilla's intermediate server configuration (version 5.7) lists them.
inline constexpr char kServerCiphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// ServerTlsOptions gathers a TLS listener's command-line options (--cert,
// --key, --client-ca, --alpn as a comma list, --tls-legacy) into TlsOptions,
// for the tools that terminate TLS (echod, relay).
TlsOptions ServerTlsOptions(const std::string& cert, const std::string& key, const std::string& client_ca,
                            absl::string_view alpn_csv, bool legacy);

// ParseTlsVersion maps "1.0".."1.3" or "TLSv1.0".."TLSv1.3" to the protocol
// version number, or fails with kInvalidArgument
// "unknown TLS version "1.4" (want 1.0, 1.1, 1.2 or 1.3)".
absl::StatusOr<uint16_t> ParseTlsVersion(absl::string_view text);

// TlsVersionName returns "TLSv1.2" for 0x0303 ("SSLv3" for 0x0300, which
// only tlsprobe's ClientHello engine offers) and "unknown (0x0305)" for
// versions it does not know.
std::string TlsVersionName(uint16_t version);

// AlpnWireFormat returns the protocols length-prefixed as ALPN sends them, or
// kInvalidArgument "ALPN protocol "" must be 1 to 255 bytes".
absl::StatusOr<std::string> AlpnWireFormat(const std::vector<std::string>& protocols);

// TlsEvents receives one connection's TLS events from the context's
// callbacks; TlsStream implements it and attaches itself with
// SSL_set_app_data. Connections without app data get no events.
class TlsEvents {
 public:
  virtual ~TlsEvents() = default;
  // OnAlert is called for each alert sent or received (the description byte).
  virtual void OnAlert(bool sent, int description) = 0;
  // OnNewSession is called on a client with each resumable session (TLS 1.3
  // tickets arrive after the handshake).
  virtual void OnNewSession(bssl::UniquePtr<SSL_SESSION> session) = 0;
  // OnCertificateRequest is called on a client when the server asks for a
  // client certificate.
  virtual void OnCertificateRequest() = 0;
};

class TlsContext {
 public:
  // Client returns a client context configured from `options`, or the first
  // error: kInvalidArgument "load CA file /x.pem: NO_START_LINE", "ciphers
  // NOPE: NO_CIPHER_MATCH", "groups P-999: ..." (files and lists are checked
  // here, not at the first connection).
  static absl::StatusOr<TlsContext> Client(const TlsOptions& options);

  // Server returns a server context; cert_file and key_file are required
  // ("server needs a certificate and key") and must match. Unless
  // options.legacy, it speaks TLS 1.2+ with kServerCiphers (min_version and
  // ciphers, when given, are used instead).
  static absl::StatusOr<TlsContext> Server(const TlsOptions& options);

  TlsContext(TlsContext&&) noexcept = default;
  TlsContext& operator=(TlsContext&&) noexcept = default;

  SSL_CTX* get() const { return ctx_.get(); }
  bool is_server() const { return is_server_; }
  const TlsOptions& options() const { return *options_; }

 private:
  TlsContext() = default;
  bssl::UniquePtr<SSL_CTX> ctx_;
  bool is_server_ = false;
  // Heap-held so the ALPN callback's pointer survives moves.
  std::unique_ptr<TlsOptions> options_;
  std::unique_ptr<std::string> alpn_wire_;
};

}  // namespace ipckit::tls

#endif  // IPCKIT_LIB_TLS_TLS_CONTEXT_H_
