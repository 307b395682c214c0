#include "lib/tls/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/tls/tls_error.h"

namespace ipckit::tls {
namespace {

TlsEvents* EventsOf(const SSL* ssl) { return static_cast<TlsEvents*>(SSL_get_app_data(ssl)); }

void InfoCallback(const SSL* ssl, int type, int value) {
  if ((type & SSL_CB_ALERT) == 0) return;
  if (TlsEvents* events = EventsOf(ssl)) events->OnAlert((type & SSL_CB_WRITE) != 0, value & 0xff);
}

int NewSessionCallback(SSL* ssl, SSL_SESSION* session) {
  TlsEvents* events = EventsOf(ssl);
  if (events == nullptr) return 0;  // Not taken: BoringSSL frees it.
  events->OnNewSession(bssl::UniquePtr<SSL_SESSION>(session));
  return 1;
}

int ClientCertCallback(SSL* ssl, void*) {
  if (TlsEvents* events = EventsOf(ssl)) events->OnCertificateRequest();
  return 1;
}

int AlpnSelect(SSL*, const uint8_t** out, uint8_t* out_len, const uint8_t* in, unsigned in_len,
               void* arg) {
  const std::string* wire = static_cast<const std::string*>(arg);
  uint8_t* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, out_len, reinterpret_cast<const uint8_t*>(wire->data()),
                            wire->size(), in, in_len) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

absl::Status Configure(SSL_CTX* ctx, const TlsOptions& o) {
  if (o.min_version != 0 && !SSL_CTX_set_min_proto_version(ctx, o.min_version)) {
    return TlsError(absl::StatusCode::kInvalidArgument,
                    absl::StrCat("minimum version ", TlsVersionName(o.min_version)));
  }
  if (o.max_version != 0 && !SSL_CTX_set_max_proto_version(ctx, o.max_version)) {
    return TlsError(absl::StatusCode::kInvalidArgument,
                    absl::StrCat("maximum version ", TlsVersionName(o.max_version)));
  }
  if (o.min_version != 0 && o.max_version != 0 && o.min_version > o.max_version) {
    return absl::InvalidArgumentError(absl::StrCat("minimum version ", TlsVersionName(o.min_version),
                                                   " is above the maximum ",
                                                   TlsVersionName(o.max_version)));
  }
  if (!o.ciphers.empty() && !SSL_CTX_set_strict_cipher_list(ctx, o.ciphers.c_str())) {
    return TlsError(absl::StatusCode::kInvalidArgument, absl::StrCat("ciphers ", o.ciphers));
  }
  if (!o.groups.empty() && !SSL_CTX_set1_curves_list(ctx, o.groups.c_str())) {
    return TlsError(absl::StatusCode::kInvalidArgument, absl::StrCat("groups ", o.groups));
  }
  if (o.cert_file.empty() != o.key_file.empty()) {
    return absl::InvalidArgumentError("a certificate needs its key and a key its certificate");
  }
  if (!o.cert_file.empty()) {
    if (!SSL_CTX_use_certificate_chain_file(ctx, o.cert_file.c_str())) {
      return TlsError(absl::StatusCode::kInvalidArgument, absl::StrCat("load certificate ", o.cert_file));
    }
    if (!SSL_CTX_use_PrivateKey_file(ctx, o.key_file.c_str(), SSL_FILETYPE_PEM)) {
      return TlsError(absl::StatusCode::kInvalidArgument, absl::StrCat("load key ", o.key_file));
    }
    if (!SSL_CTX_check_private_key(ctx)) {
      return TlsError(absl::StatusCode::kInvalidArgument,
                      absl::StrCat("key ", o.key_file, " does not match ", o.cert_file));
    }
  }
  SSL_CTX_set_info_callback(ctx, InfoCallback);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return absl::OkStatus();
}

absl::Status LoadTrust(SSL_CTX* ctx, const std::string& path, bool required) {
  if (SSL_CTX_load_verify_locations(ctx, path.c_str(), nullptr)) return absl::OkStatus();
  std::string reason = TlsErrorReason();
  if (!required) return absl::OkStatus();
  if (access(path.c_str(), R_OK) != 0) reason = "cannot read the file";
  return absl::InvalidArgumentError(absl::StrCat("load CA file ", path, ": ", reason));
}

}  // namespace

absl::StatusOr<uint16_t> ParseTlsVersion(absl::string_view text) {
  std::string t = absl::AsciiStrToLower(text);
  if (t.rfind("tlsv", 0) == 0) t = t.substr(4);
  if (t == "1.0" || t == "1") return TLS1_VERSION;
  if (t == "1.1") return TLS1_1_VERSION;
  if (t == "1.2") return TLS1_2_VERSION;
  if (t == "1.3") return TLS1_3_VERSION;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown TLS version \"", text, "\" (want 1.0, 1.1, 1.2 or 1.3)"));
}

std::string TlsVersionName(uint16_t version) {
  switch (version) {
    case SSL3_VERSION: return "SSLv3";
    case TLS1_VERSION: return "TLSv1.0";
    case TLS1_1_VERSION: return "TLSv1.1";
    case TLS1_2_VERSION: return "TLSv1.2";
    case TLS1_3_VERSION: return "TLSv1.3";
  }
  char hex[8];
  snprintf(hex, sizeof(hex), "%04x", version);
  return absl::StrCat("unknown (0x", hex, ")");
}

absl::StatusOr<std::string> AlpnWireFormat(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const std::string& p : protocols) {
    if (p.empty() || p.size() > 255) {
      return absl::InvalidArgumentError(absl::StrCat("ALPN protocol \"", p, "\" must be 1 to 255 bytes"));
    }
    wire.push_back(static_cast<char>(p.size()));
    wire += p;
  }
  return wire;
}

absl::StatusOr<TlsContext> TlsContext::Client(const TlsOptions& options) {
  TlsContext c;
  c.ctx_.reset(SSL_CTX_new(TLS_method()));
  if (!c.ctx_) return TlsError(absl::StatusCode::kInternal, "SSL_CTX_new");
  c.options_ = std::make_unique<TlsOptions>(options);
  SSL_CTX* ctx = c.ctx_.get();
  if (absl::Status s = Configure(ctx, options); !s.ok()) return s;
  std::string ca = options.ca_file.empty() ? kSystemCaFile : options.ca_file;
  // Without verification a missing bundle only makes the reported verdict
  // "unable to get local issuer certificate"; an explicit --ca-file must load.
  if (absl::Status s = LoadTrust(ctx, ca, options.verify || !options.ca_file.empty()); !s.ok()) return s;
  SSL_CTX_set_verify(ctx, options.verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  if (!options.alpn.empty()) {
    absl::StatusOr<std::string> wire = AlpnWireFormat(options.alpn);
    if (!wire.ok()) return wire.status();
    // SSL_CTX_set_alpn_protos returns 0 on success.
    if (SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const uint8_t*>(wire->data()), wire->size()) != 0) {
      return TlsError(absl::StatusCode::kInvalidArgument, "ALPN");
    }
  }
  SSL_CTX_enable_ocsp_stapling(ctx);
  SSL_CTX_enable_signed_cert_timestamps(ctx);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
  SSL_CTX_sess_set_new_cb(ctx, NewSessionCallback);
  SSL_CTX_set_cert_cb(ctx, ClientCertCallback, nullptr);
  return c;
}

TlsOptions ServerTlsOptions(const std::string& cert, const std::string& key, const std::string& client_ca,
                            absl::string_view alpn_csv, bool legacy) {
  TlsOptions t;
  t.cert_file = cert;
  t.key_file = key;
  t.client_ca_file = client_ca;
  if (!alpn_csv.empty()) t.alpn = absl::StrSplit(alpn_csv, ',');
  t.legacy = legacy;
  return t;
}

absl::StatusOr<TlsContext> TlsContext::Server(const TlsOptions& options) {
  if (options.cert_file.empty() || options.key_file.empty()) {
    return absl::InvalidArgumentError("a TLS server needs a certificate and key");
  }
  TlsContext c;
  c.is_server_ = true;
  c.ctx_.reset(SSL_CTX_new(TLS_method()));
  if (!c.ctx_) return TlsError(absl::StatusCode::kInternal, "SSL_CTX_new");
  TlsOptions o = options;
  if (!o.legacy && o.min_version == 0) o.min_version = TLS1_2_VERSION;
  if (!o.legacy && o.ciphers.empty()) o.ciphers = kServerCiphers;
  c.options_ = std::make_unique<TlsOptions>(o);
  SSL_CTX* ctx = c.ctx_.get();
  if (absl::Status s = Configure(ctx, o); !s.ok()) return s;
  // No SHA-1 (or SHA-224) signatures in the handshake unless legacy (RFC 9155).
  static const uint16_t kSigning[] = {
      SSL_SIGN_ECDSA_SECP256R1_SHA256, SSL_SIGN_ECDSA_SECP384R1_SHA384, SSL_SIGN_ECDSA_SECP521R1_SHA512,
      SSL_SIGN_ED25519,                SSL_SIGN_RSA_PSS_RSAE_SHA256,    SSL_SIGN_RSA_PSS_RSAE_SHA384,
      SSL_SIGN_RSA_PSS_RSAE_SHA512,    SSL_SIGN_RSA_PKCS1_SHA256,       SSL_SIGN_RSA_PKCS1_SHA384,
      SSL_SIGN_RSA_PKCS1_SHA512};
  if (!o.legacy && !SSL_CTX_set_signing_algorithm_prefs(ctx, kSigning, sizeof(kSigning) / sizeof(kSigning[0]))) {
    return TlsError(absl::StatusCode::kInternal, "signing algorithms");
  }
  if (!options.alpn.empty()) {
    absl::StatusOr<std::string> wire = AlpnWireFormat(options.alpn);
    if (!wire.ok()) return wire.status();
    c.alpn_wire_ = std::make_unique<std::string>(*std::move(wire));
    SSL_CTX_set_alpn_select_cb(ctx, AlpnSelect, c.alpn_wire_.get());
  }
  if (!options.client_ca_file.empty()) {
    if (absl::Status s = LoadTrust(ctx, options.client_ca_file, true); !s.ok()) return s;
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.client_ca_file.c_str());
    if (names == nullptr) {
      return TlsError(absl::StatusCode::kInvalidArgument,
                      absl::StrCat("load client CA file ", options.client_ca_file));
    }
    SSL_CTX_set_client_CA_list(ctx, names);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return c;
}

}  // namespace ipckit::tls
