// probe.h: one TLS probe of one target (connect, optional STARTTLS,
// handshake, a short read for post-handshake alerts and tickets, optional
// resumption), and the facts it found, which report.h prints and checks.
//
// Threads: Probe may run on any thread, several at once, sharing one
// TlsContext (read-only once made).
#ifndef IPCKIT_TOOLS_TLSPROBE_PROBE_H_
#define IPCKIT_TOOLS_TLSPROBE_PROBE_H_

#include <stdint.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/cli/exit_code.h"
#include "lib/tls/cert_info.h"
#include "lib/tls/handshake_info.h"
#include "lib/tls/tls_context.h"
#include "tools/tlsprobe/starttls.h"

namespace ipckit::tlsprobe {

// Exit codes, documented in --help: lib/cli's three, then tlsprobe's own.
inline constexpr int kExitOk = cli::kExitOk;
inline constexpr int kExitInternal = cli::kExitFailure;
inline constexpr int kExitUsage = cli::kExitUsage;
inline constexpr int kExitConnect = 3;
inline constexpr int kExitTimeout = 4;
inline constexpr int kExitTls = 5;
inline constexpr int kExitVerify = 6;
inline constexpr int kExitCheck = 7;

struct ProbeOptions {
  tls::TlsOptions tls;                  // verify=false means --insecure.
  std::optional<std::string> servername;  // --servername; default: the host unless an IP.
  bool no_sni = false;
  absl::Duration timeout = absl::Seconds(5);
  StarttlsProtocol starttls = StarttlsProtocol::kNone;
  bool resume = false;
  int family = 0;                  // AF_INET, AF_INET6 or 0.
};

struct Target {
  std::string text;  // As given.
  std::string host;
  uint16_t port = 443;
};

// ParseTarget splits "HOST", "HOST:PORT" or "[V6]:PORT" (default port 443),
// or fails with kInvalidArgument "invalid target 'x': ...".
absl::StatusOr<Target> ParseTarget(absl::string_view text);

struct ProbeError {
  std::string stage;   // "resolve", "connect", "starttls", "handshake", "verify", "file".
  int alert = -1;      // TLS alert received, or -1.
  std::string reason;  // BoringSSL's reason or the system error.
  std::string message; // The whole message, for stderr.
};

struct ProbeResult {
  Target target;
  std::string file;    // --cert-file: the chain's file (no connection made).
  std::string ip;
  std::string sni;     // Sent, or "" for none.
  int exit = kExitOk;
  std::optional<ProbeError> error;
  absl::Duration tcp, starttls, handshake, total;
  bool handshake_done = false;
  tls::HandshakeInfo tls;
  std::vector<tls::CertInfo> chain;
  // verify is present when a certificate arrived.
  bool verify_present = false;
  bool verify_ok = false;
  long verify_code = 0;
  std::string verify_error;
  bool client_auth_requested = false;
  std::optional<bool> resumed;  // With --resume.
  std::vector<std::string> failed_checks;
};

// Probe runs one probe; failures are recorded in the result (error, exit).
ProbeResult Probe(const Target& target, const ProbeOptions& options, const tls::TlsContext& ctx);

}  // namespace ipckit::tlsprobe

#endif  // IPCKIT_TOOLS_TLSPROBE_PROBE_H_
