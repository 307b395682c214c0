// nc: a netcat-compatible client and listener (OpenBSD flags, Debian's -q),
// on lib/net, lib/selector and lib/relay.
//
// Threads: Validate on any thread; Run on main's thread (it changes stdin
// and stdout's flags, and -lk --exec serves each client on a thread).
#ifndef IPCKIT_TOOLS_NC_NC_H_
#define IPCKIT_TOOLS_NC_NC_H_

#include <stdint.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/cli/exit_code.h"
#include "lib/net/socket.h"
#include "lib/tls/tls_context.h"
#include "tools/nc/nc_options.h"
#include "lib/cli/proxy_flags.h"
#include "lib/net/proxy.h"
#include "tools/nc/access.h"

namespace ipckit::nc {

// Target is what the arguments name.
struct Target {
  std::string host;             // Empty: loopback to connect, wildcard to listen.
  std::vector<uint16_t> ports;  // One, except for -z (every port of every argument).
  std::string path;             // With -U.
};

// ProxyPlan is -x/--proxy parsed: where the proxy is, how to talk to it, and
// as whom (a user without a password is asked for one when connecting).
using ProxyPlan = cli::ProxyPlan;

// TlsPlan is --ssl and its flags parsed (no file opened: Run loads them).
struct TlsPlan {
  bool server = false;              // -l --ssl
  tls::TlsOptions options;          // Certificate, key, CAs, ALPN, ciphers, legacy, verify.
  std::string servername;           // Client: --ssl-servername; "": the host.
  std::vector<std::string> pins;    // Client: --ssl-pin.
  bool insecure = false;            // Client: --insecure (warned of at the handshake).
};

// Plan is nc's command line checked and parsed: Run reads it and parses
// nothing again.
struct Plan {
  Settings settings;                         // The typed switches, durations and paths.
  Target target;
  std::optional<absl::Duration> quit_after;  // -q; nullopt: never (also negative -q).
  net::SocketOptions socket;                 // -T (as a number), -I, -O.
  std::optional<ProxyPlan> proxy;            // -x/--proxy.
  std::optional<TlsPlan> tls;                // --ssl.
  std::vector<std::string> exec_argv;        // --exec (split on spaces) or sh -c --sh-exec.
  AccessList allow, deny;                    // --allow, --deny: host names resolved by Run.
};

// Validate returns the plan, or kInvalidArgument describing the first
// conflict or bad argument: "cannot use -z with -l", "-k requires -l",
// "-e is not supported: ...", "missing port number".
absl::StatusOr<Plan> Validate(const Options& opts);

// TosValue returns the IP TOS byte for a number (decimal or 0x hex, 0-255)
// or an OpenBSD keyword (lowdelay, throughput, reliability, lowcost,
// critical, inetcontrol, netcontrol, ef, af11..af43, cs0..cs7), or
// kInvalidArgument.
absl::StatusOr<int> TosValue(const std::string& text);

// Run does what `plan` asks, writing netcat-openbsd's -v lines to `log`, and
// returns OK or the failure: "connect to 127.0.0.1 port 9 (tcp) failed:
// Connection refused", "connect to 127.0.0.1 port 9 (tcp) timed out:
// Operation now in progress" (kDeadlineExceeded), "write stdout: Broken
// pipe". A failure already printed at -v (a -z scan's) is marked Reported.
absl::Status Run(const Plan& plan, std::ostream& log);

// kExitRules maps Run's status to nc's exit codes beyond 0 and 1 (for
// Parser::Finish): kExitTimeout (kDeadlineExceeded), kExitTlsVerify
// (kUnauthenticated).
inline constexpr cli::ExitRule kExitRules[] = {{absl::StatusCode::kDeadlineExceeded, kExitTimeout},
                                               {absl::StatusCode::kUnauthenticated, kExitTlsVerify}};

}  // namespace ipckit::nc

#endif  // IPCKIT_TOOLS_NC_NC_H_
