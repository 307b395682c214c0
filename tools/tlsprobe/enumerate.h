// enumerate.h: what a server accepts, found with many small handshakes run
// concurrently on lib/selector: protocol versions, the pre-1.3 cipher suites
// BoringSSL can offer (per version, in the server's preference order), and
// key-exchange groups. BoringSSL cannot offer TLS 1.3 suites one at a time,
// so for TLS 1.3 only the negotiated suite is known; the result says so.
#ifndef IPCKIT_TOOLS_TLSPROBE_ENUMERATE_H_
#define IPCKIT_TOOLS_TLSPROBE_ENUMERATE_H_

#include <stdint.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/net/address.h"
#include "lib/tls/tls_context.h"

namespace ipckit::tlsprobe {

struct Enumeration {
  std::vector<std::pair<std::string, bool>> versions;  // "TLSv1.0" .. "TLSv1.3".
  // Per pre-1.3 version: accepted suites (IANA names), in server preference
  // order for the newest such version, else in BoringSSL's order.
  std::vector<std::pair<std::string, std::vector<std::string>>> ciphers;
  bool server_order = false;    // The server picks by its own preference.
  std::string tls13_cipher;     // Negotiated with BoringSSL's default offer.
  std::vector<std::pair<std::string, bool>> groups;
  std::string groups_version;   // The version groups were tried at.
  int connections = 0;
  std::vector<std::string> notes;
};

struct EnumerateOptions {
  std::string sni;              // "" for none.
  absl::Duration timeout = absl::Seconds(5);
  int concurrency = 16;
};

// Enumerate probes `addr` with a context that does not verify. It fails only
// when nothing at all can be learned (no version accepted: the last
// handshake's error).
absl::StatusOr<Enumeration> Enumerate(const net::SocketAddress& addr, const tls::TlsContext& ctx,
                                      const EnumerateOptions& options);

}  // namespace ipckit::tlsprobe

#endif  // IPCKIT_TOOLS_TLSPROBE_ENUMERATE_H_
