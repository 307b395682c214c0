// server_flight.h: reads a server's answer to a ClientHello (client_hello.h)
// up to the point where it has chosen everything: a ServerHello with what
// follows it in the clear (TLS <= 1.2: Certificate, ServerKeyExchange up to
// ServerHelloDone), a HelloRetryRequest, a TLS 1.3 ServerHello (the rest is
// encrypted), or an alert. Bytes are fed as they arrive; the reader says
// when it has enough. It trusts nothing: lengths are checked against what
// arrived, and anything malformed ends the read with a reason.
//
//   ServerFlightReader r;
//   while (!r.done()) r.Feed(chunk_from_socket);   // Feed("") at EOF
//   if (r.flight().kind == ServerFlight::kServerHello) ... r.flight().suite ...
//
// Threads: a ServerFlightReader is used by one thread at a time.
#ifndef IPCKIT_LIB_TLS_SERVER_FLIGHT_H_
#define IPCKIT_LIB_TLS_SERVER_FLIGHT_H_

#include <stdint.h>

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace ipckit::tls {

struct ServerFlight {
  enum Kind {
    kIncomplete,         // Still reading (or the connection ended early: see error).
    kServerHello,        // The server accepted: version, suite... are set.
    kHelloRetryRequest,  // TLS 1.3: accepted, but wants a key share for `group`.
    kAlert,              // Refused with a fatal alert or close_notify (warnings are noted, not refusals).
    kMalformed,          // Not TLS, or not a well-formed answer: see error.
  };
  Kind kind = kIncomplete;
  uint16_t version = 0;          // Negotiated (supported_versions for TLS 1.3).
  uint16_t suite = 0;
  uint8_t compression = 0;
  uint16_t group = 0;            // key_share (TLS 1.3, HRR) or the ServerKeyExchange curve.
  int dh_bits = 0;               // DHE: the size of the prime p in bits.
  uint16_t signature_scheme = 0; // TLS 1.2 ServerKeyExchange's signature scheme.
  int certificates = 0;          // In the Certificate message (TLS <= 1.2).
  uint16_t certificate_curve = 0;  // The leaf's EC key curve as a group (23, 24, 25), else 0.
  std::string leaf_der;            // The leaf certificate as sent (TLS <= 1.2 only: 1.3 encrypts it).
  bool secure_renegotiation = false;   // renegotiation_info came back.
  bool heartbeat = false;              // heartbeat came back.
  bool session_ticket = false;         // SessionTicket came back.
  bool extended_master_secret = false;
  std::string alpn;
  uint8_t alert_level = 0, alert = 0;  // kAlert: fatal, or close_notify.
  std::vector<uint8_t> warnings;       // Warning alerts read on the way (unrecognized_name), in order.
  std::string error;                   // kMalformed, or kIncomplete at EOF.
};

class ServerFlightReader {
 public:
  // Feed adds `bytes` from the server; "" means the connection ended. It
  // returns done().
  bool Feed(absl::string_view bytes);
  bool done() const { return done_; }
  const ServerFlight& flight() const { return flight_; }

 private:
  void Parse();
  // ParseHandshake reads complete handshake messages from hs_.
  void ParseHandshake();
  bool ParseServerHello(absl::string_view body);
  bool ParseKeyExchange(absl::string_view body);
  void Fail(ServerFlight::Kind kind, std::string error);

  std::string in_;     // Received, not yet parsed (whole records are taken).
  std::string hs_;     // Handshake bytes from records, not yet parsed.
  ServerFlight flight_;
  bool done_ = false;
  bool hello_seen_ = false;
};

// AlertName is RFC 8446's name for alert `description` ("handshake_failure",
// "protocol_version", "inappropriate_fallback"), or "alert 123".
std::string AlertName(uint8_t description);

}  // namespace ipckit::tls

#endif  // IPCKIT_LIB_TLS_SERVER_FLIGHT_H_
