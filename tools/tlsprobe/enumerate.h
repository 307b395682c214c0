// enumerate.h: what a server accepts, found with lib/tls's ClientHello engine
// (client_hello.h, server_flight.h): many small hellos, run concurrently on
// lib/selector, none completed. Versions SSLv3 to TLS 1.3; every suite of
// lib/tls's registry at each accepted version (TLS 1.3's one at a time) in
// the server's preference order; every group; TLS 1.2 signature schemes;
// DHE prime sizes; secure renegotiation, TLS_FALLBACK_SCSV, DEFLATE
// compression, the heartbeat extension and session tickets (advertised,
// never exploited). BoringSSL's one real handshake (probe.h) reports the
// rest: chain, verification, OCSP, SCTs, ALPN, client authentication.
//
// Threads: Enumerate may run on any thread, several at once (one selector
// each; tlsprobe -j probes targets on threads of their own).
#ifndef IPCKIT_TOOLS_TLSPROBE_ENUMERATE_H_
#define IPCKIT_TOOLS_TLSPROBE_ENUMERATE_H_

#include <stdint.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/net/address.h"
#include "tools/tlsprobe/starttls.h"

namespace ipckit::tlsprobe {

struct Enumeration {
  std::vector<std::pair<std::string, bool>> versions;  // "SSLv3", "TLSv1.0" .. "TLSv1.3".
  // Per accepted version: accepted suites (IANA names), in the order the
  // server picks them: its preference, or with client order the offer's.
  std::vector<std::pair<std::string, std::vector<std::string>>> ciphers;
  bool server_order = false;    // At the newest version with two suites or more.
  // server_order_below_13 is server_order at the newest version below TLS
  // 1.3 with two suites or more (Mozilla's server_preferred_order); unset
  // where there is none.
  std::optional<bool> server_order_below_13;
  std::string tls13_cipher;     // The server's first pick among TLS 1.3 suites.
  std::vector<std::pair<std::string, bool>> groups;  // IANA names.
  std::string groups_version;   // The version groups were tried at.
  std::vector<std::pair<std::string, bool>> signature_schemes;  // TLS 1.2 (ServerKeyExchange).
  std::vector<int> dh_bits;     // DHE primes seen, smallest first.
  // The leaf certificate (DER) a TLS <= 1.2 answer carried in the clear, so
  // that certificate gates are judged when BoringSSL's own handshake fails;
  // "" when none came (TLS 1.3 only, or no certificate: anon, PSK).
  std::string leaf_der;
  // Facts measured at the newest version below TLS 1.3; unset when there is
  // none (or, for fallback_scsv, only one version to fall back from).
  std::optional<bool> secure_renegotiation;
  std::optional<bool> fallback_scsv;    // Downgrades refused (inappropriate_fallback).
  std::optional<bool> compression;      // DEFLATE accepted (CRIME).
  std::optional<bool> heartbeat;        // The extension advertised back.
  std::optional<bool> session_ticket;
  int connections = 0;
  // unanswered counts probes that got no answer even when tried again
  // (connections reset or refused: a server or a front shedding load); the
  // facts they would have given are unknown, so nothing may be judged
  // complete from this enumeration.
  int unanswered = 0;
  std::vector<std::string> notes;
};

struct EnumerateOptions {
  std::string sni;              // "" for none.
  absl::Duration timeout = absl::Seconds(5);
  int concurrency = 16;
  // starttls: each connection first speaks this protocol (starttls.h) to
  // `host` until TLS may start, as sslscan --starttls-* does. The dialogue
  // runs on the loop's thread and holds the other connections meanwhile.
  StarttlsProtocol starttls = StarttlsProtocol::kNone;
  std::string host;
};

// Enumerate probes `addr`. It fails only when nothing at all can be learned:
// no version accepted ("no TLS version accepted (last: ...)").
absl::StatusOr<Enumeration> Enumerate(const net::SocketAddress& addr, const EnumerateOptions& options);

}  // namespace ipckit::tlsprobe

#endif  // IPCKIT_TOOLS_TLSPROBE_ENUMERATE_H_
