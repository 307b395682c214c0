// echod: an RFC 862 echo server (and discard, chargen, daytime) over TCP,
// UDP and Unix sockets, for scripts, hermetic tests and benchmarks.
//
// Threads: Validate on any thread; Run on main's thread, which starts the
// worker threads (server.h) and waits for signals.
#ifndef IPCKIT_TOOLS_ECHOD_ECHOD_H_
#define IPCKIT_TOOLS_ECHOD_ECHOD_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/cli/options.h"
#include "lib/cli/readiness_flags.h"
#include "lib/cli/tls_flags.h"
#include "lib/tls/tls_context.h"
#include "tools/echod/server.h"

namespace ipckit::echod {

struct Options {
  std::vector<std::string> tcp;         // -l
  std::vector<std::string> udp;         // -u
  std::vector<std::string> unix_path;   // -U
  std::vector<std::string> unix_dgram;  // --unix-dgram
  int workers = 0;                      // 0: one per core.
  int64_t max_conns = 0;
  absl::Duration idle_timeout = absl::InfiniteDuration();
  absl::Duration drain_timeout = absl::Seconds(5);
  cli::ReadinessFlags readiness;        // --port-file, --ready-fd, --json (lib/cli's group).
  std::string service = "echo";
  uint32_t buffer = 128 * 1024;
  absl::Duration delay = absl::ZeroDuration();
  uint32_t chunk = 0;
  uint64_t close_after = 0;
  bool rst = false;
  bool splice = false;
  std::string drop_rate = "0";
  bool tls = false;                     // --tls: every stream listener (-l, -U) speaks TLS.
  // --cert, --key, --client-ca, --alpn, --tls-legacy (lib/cli's group).
  cli::TlsServerFlags tls_server{cli::TlsServerFlags::kIpckit};
};

// Plan is Options checked and parsed: the server's options (listeners
// parsed; no TLS context yet), the TLS listeners' options (their files
// are loaded when Run starts), and how to announce readiness and stats.
struct Plan {
  ServerOptions server;
  std::optional<tls::TlsOptions> tls;   // With a TLS listener.
  std::string port_file;
  int ready_fd = -1;
  bool json = false;
};

// ToolInfo is echod's synopsis, summary and --help epilog.
cli::ToolInfo ToolInfo();

// DeclareOptions declares each of echod's options on `p`, once, with its
// help, filling `o` as they are parsed.
void DeclareOptions(cli::Parser& p, Options* o);

// Validate checks `opts` and the non-option `args` (there must be none) and
// returns the plan they describe, or kInvalidArgument: "no listeners: give
// -l, -u, -U or --unix-dgram (or LISTEN_FDS)", "unexpected argument 'x'". It opens no file
// and resolves no name (Run resolves a listener's host name).
// `listen_fds` are descriptors handed over by socket activation.
absl::StatusOr<Plan> Validate(const Options& opts, const std::vector<std::string>& args,
                              const std::vector<int>& listen_fds);

// Run loads the TLS listeners' certificate and key (a failure is returned:
// "load certificate c.pem: ..."), then serves until SIGTERM or SIGINT,
// then drains and returns OK. It writes
// "listening on ADDR (tcp)" per listener to `out`, and stats to `log` on
// SIGUSR1 and at exit.
absl::Status Run(const Plan& plan, std::ostream& out, std::ostream& log);

}  // namespace ipckit::echod

#endif  // IPCKIT_TOOLS_ECHOD_ECHOD_H_
