#include "lib/tls/server_flight.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <string.h>

#include "absl/strings/str_cat.h"
#include "lib/tls/registry.h"

namespace ipckit::tls {
namespace {

// kHelloRetryRandom is SHA-256("HelloRetryRequest"): a ServerHello with this
// random is a HelloRetryRequest (RFC 8446 4.1.3).
constexpr uint8_t kHelloRetryRandom[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

constexpr size_t kMaxRecord = (1 << 14) + 2048;

// Cursor reads big-endian fields from a string_view; any read past the end
// sets ok = false and returns zeros.
struct Cursor {
  absl::string_view s;
  bool ok = true;

  bool Need(size_t n) {
    if (s.size() < n) ok = false;
    return ok;
  }
  uint32_t Int(size_t n) {
    if (!Need(n)) return 0;
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(s[i]);
    s.remove_prefix(n);
    return v;
  }
  absl::string_view Bytes(size_t n) {
    if (!Need(n)) return {};
    absl::string_view v = s.substr(0, n);
    s.remove_prefix(n);
    return v;
  }
  // Vec reads a vector with an `n`-byte length.
  absl::string_view Vec(size_t n) { return Bytes(Int(n)); }
};

// BitLength is the number of significant bits of the big-endian `p`.
int BitLength(absl::string_view p) {
  size_t i = 0;
  while (i < p.size() && p[i] == 0) ++i;
  if (i == p.size()) return 0;
  int bits = static_cast<int>((p.size() - i - 1) * 8);
  for (uint8_t top = static_cast<uint8_t>(p[i]); top != 0; top >>= 1) ++bits;
  return bits;
}

// CurveOf returns the group of the EC key in the DER certificate `der`
// (secp256r1, secp384r1, secp521r1), or 0 for any other key or bad DER.
uint16_t CurveOf(absl::string_view der) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(der.data());
  bssl::UniquePtr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return 0;
  bssl::UniquePtr<EVP_PKEY> key(X509_get_pubkey(cert.get()));
  const EC_KEY* ec = key ? EVP_PKEY_get0_EC_KEY(key.get()) : nullptr;
  const EC_GROUP* group = ec != nullptr ? EC_KEY_get0_group(ec) : nullptr;
  switch (group != nullptr ? EC_GROUP_get_curve_name(group) : 0) {
    case NID_X9_62_prime256v1: return 23;
    case NID_secp384r1: return 24;
    case NID_secp521r1: return 25;
    default: return 0;
  }
}

}  // namespace

std::string AlertName(uint8_t d) {
  switch (d) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 22: return "record_overflow";
    case 40: return "handshake_failure";
    case 42: return "bad_certificate";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 100: return "no_renegotiation";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 112: return "unrecognized_name";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default: return absl::StrCat("alert ", d);
  }
}

bool ServerFlightReader::Feed(absl::string_view bytes) {
  if (done_) return true;
  if (bytes.empty()) {
    if (hello_seen_) {  // Accepted; the rest of the flight is missing.
      flight_.kind = flight_.kind == ServerFlight::kIncomplete ? ServerFlight::kServerHello : flight_.kind;
      flight_.error = "the connection ended before ServerHelloDone";
    } else {
      flight_.error = in_.empty() && hs_.empty() ? "the connection ended without an answer"
                                                 : "the connection ended in the middle of a record";
    }
    done_ = true;
    return true;
  }
  in_.append(bytes.data(), bytes.size());
  Parse();
  return done_;
}

void ServerFlightReader::Fail(ServerFlight::Kind kind, std::string error) {
  flight_.kind = kind;
  flight_.error = std::move(error);
  done_ = true;
}

void ServerFlightReader::Parse() {
  while (!done_ && in_.size() >= 5) {
    Cursor c{in_};
    uint8_t type = static_cast<uint8_t>(c.Int(1));
    uint16_t version = static_cast<uint16_t>(c.Int(2));
    size_t length = c.Int(2);
    if ((type != 21 && type != 22) || (version >> 8) != 3 || length == 0 || length > kMaxRecord) {
      return Fail(ServerFlight::kMalformed,
                  absl::StrCat("not a TLS handshake or alert record (type ", type, ", version 0x",
                               absl::Hex(version), ", length ", length, ")"));
    }
    if (in_.size() < 5 + length) return;
    absl::string_view body = absl::string_view(in_).substr(5, length);
    if (type == 21) {
      if (length < 2) return Fail(ServerFlight::kMalformed, "a short alert record");
      uint8_t level = static_cast<uint8_t>(body[0]), description = static_cast<uint8_t>(body[1]);
      // A warning (level 1) is not a refusal: openssl s_server sends
      // unrecognized_name for an SNI it has no certificate for, then
      // negotiates. close_notify, at any level, ends the connection.
      if (level == 1 && description != 0) {
        flight_.warnings.push_back(description);
        in_.erase(0, 5 + length);
        continue;
      }
      flight_.alert_level = level;
      flight_.alert = description;
      flight_.kind = ServerFlight::kAlert;
      done_ = true;
      return;
    }
    hs_.append(body.data(), body.size());
    in_.erase(0, 5 + length);
    ParseHandshake();
  }
}

void ServerFlightReader::ParseHandshake() {
  while (!done_ && hs_.size() >= 4) {
    Cursor c{hs_};
    uint8_t type = static_cast<uint8_t>(c.Int(1));
    size_t length = c.Int(3);
    if (length > (1 << 20)) return Fail(ServerFlight::kMalformed, "a handshake message over 1 MiB");
    if (hs_.size() < 4 + length) return;
    std::string body = hs_.substr(4, length);
    hs_.erase(0, 4 + length);
    if (!hello_seen_ && type != 2) {
      return Fail(ServerFlight::kMalformed, absl::StrCat("handshake message ", type, " before ServerHello"));
    }
    switch (type) {
      case 2:
        if (hello_seen_) return Fail(ServerFlight::kMalformed, "a second ServerHello");
        if (!ParseServerHello(body)) return;
        break;
      case 11: {  // Certificate (TLS <= 1.2).
        Cursor b{body};
        Cursor list{b.Vec(3)};
        while (list.ok && !list.s.empty()) {
          absl::string_view der = list.Vec(3);
          if (!list.ok) break;
          if (flight_.certificates++ == 0) {
            flight_.certificate_curve = CurveOf(der);
            flight_.leaf_der = std::string(der);
          }
        }
        break;
      }
      case 12:
        ParseKeyExchange(body);  // What cannot be read is left unset.
        break;
      case 14:  // ServerHelloDone.
        flight_.kind = ServerFlight::kServerHello;
        done_ = true;
        return;
      default:  // CertificateStatus, CertificateRequest...: not needed.
        break;
    }
  }
}

bool ServerFlightReader::ParseServerHello(absl::string_view body) {
  Cursor c{body};
  uint16_t legacy_version = static_cast<uint16_t>(c.Int(2));
  absl::string_view random = c.Bytes(32);
  c.Vec(1);  // session_id
  flight_.suite = static_cast<uint16_t>(c.Int(2));
  flight_.compression = static_cast<uint8_t>(c.Int(1));
  if (!c.ok) {
    Fail(ServerFlight::kMalformed, "a short ServerHello");
    return false;
  }
  const bool retry = memcmp(random.data(), kHelloRetryRandom, 32) == 0;
  flight_.version = legacy_version;
  Cursor ext{c.s.empty() ? absl::string_view() : c.Vec(2)};
  ext.ok = c.ok;
  while (ext.ok && !ext.s.empty()) {
    uint16_t type = static_cast<uint16_t>(ext.Int(2));
    Cursor data{ext.Vec(2)};
    if (!ext.ok) break;
    switch (type) {
      case 43: flight_.version = static_cast<uint16_t>(data.Int(2)); break;  // supported_versions
      case 51: flight_.group = static_cast<uint16_t>(data.Int(2)); break;   // key_share
      case 0xFF01: flight_.secure_renegotiation = true; break;
      case 15: flight_.heartbeat = true; break;
      case 35: flight_.session_ticket = true; break;
      case 23: flight_.extended_master_secret = true; break;
      case 16: {  // ALPN: one protocol in a list.
        Cursor list{data.Vec(2)};
        flight_.alpn = std::string(list.Vec(1));
        break;
      }
      default: break;
    }
  }
  if (!ext.ok) {
    Fail(ServerFlight::kMalformed, "malformed ServerHello extensions");
    return false;
  }
  hello_seen_ = true;
  if (retry) {
    flight_.kind = ServerFlight::kHelloRetryRequest;
    done_ = true;
  } else if (flight_.version >= 0x0304) {
    flight_.kind = ServerFlight::kServerHello;  // The rest is encrypted.
    done_ = true;
  }
  return true;
}

bool ServerFlightReader::ParseKeyExchange(absl::string_view body) {
  const SuiteInfo* suite = FindSuite(flight_.suite);
  if (suite == nullptr) return false;
  Cursor c{body};
  if (suite->kx == Kx::kDhePsk || suite->kx == Kx::kEcdhePsk) c.Vec(2);  // psk_identity_hint
  if (suite->kx == Kx::kEcdhe || suite->kx == Kx::kEcdhePsk) {
    if (c.Int(1) != 3) return false;  // Not named_curve.
    flight_.group = static_cast<uint16_t>(c.Int(2));
    c.Vec(1);  // The server's public point.
  } else if (suite->kx == Kx::kDhe || suite->kx == Kx::kDhePsk) {
    flight_.dh_bits = BitLength(c.Vec(2));  // p
    c.Vec(2);  // g
    c.Vec(2);  // Ys
  } else {
    return false;
  }
  if (c.ok && flight_.version >= 0x0303 && suite->auth != Auth::kNone && suite->auth != Auth::kPsk) {
    flight_.signature_scheme = static_cast<uint16_t>(c.Int(2));
  }
  return c.ok;
}

}  // namespace ipckit::tls
