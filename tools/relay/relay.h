// relay: accept clients on FROM and connect each to TO, moving bytes both
// ways on one event loop per worker (socat's `TCP-LISTEN:...,fork TCP:...`
// without a process per client), with toxiproxy's faults on the way.
//
// Threads: Validate on any thread; Prepare and Run on main's thread, which
// starts the workers (--workers) and serves signals and --control.
#ifndef IPCKIT_TOOLS_RELAY_RELAY_H_
#define IPCKIT_TOOLS_RELAY_RELAY_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/cli/options.h"
#include "lib/cli/proxy_flags.h"
#include "lib/cli/readiness_flags.h"
#include "lib/cli/tls_flags.h"
#include "tools/relay/plan.h"
#include "tools/relay/prepare.h"

namespace ipckit::relay_tool {

struct Options {
  int workers = 1;
  int64_t max_conns = 0;
  absl::Duration idle_timeout = absl::InfiniteDuration();
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration drain_timeout = absl::Seconds(5);
  bool nagle = false;               // --nagle: leave TCP_NODELAY off.
  bool no_splice = false;           // --no-splice: copy every byte through user space.
  std::string on_connect_failure = "reset";
  uint32_t buffer = 256 * 1024;
  uint64_t latency_buffer = 32 << 20;  // --latency-buffer
  std::vector<std::string> faults;  // --fault
  bool down = false;                // --down
  bool stall = false;               // --stall
  std::string control;              // --control PATH
  std::string api;                  // --api HOST:PORT
  std::string config;               // --config FILE
  cli::ReadinessFlags readiness;    // --port-file, --ready-fd, --json (lib/cli's group).
  int verbose = 0;
  bool dump = false;
  bool tls = false;                 // --tls: FROM listen-fds speaks TLS.
  cli::TlsServerFlags tls_server{cli::TlsServerFlags::kIpckit};  // TLS FROM: --cert, --key, ...
  cli::TlsClientFlags tls_client{cli::TlsClientFlags::kIpckit};  // TLS TO: --ca-file, --servername, ...
  cli::ProxyFlags proxy{net::ProxyProtocol::kSocks5};  // --proxy, --proxy-type, --proxy-auth
};

// ToolInfo is relay's synopsis, summary and --help epilog.
cli::ToolInfo ToolInfo();

// DeclareOptions declares each of relay's options on `p`, once, with its
// help, filling `o` as they are parsed.
void DeclareOptions(cli::Parser& p, Options* o);

// Validate checks `opts` with the FROM and TO arguments and returns the
// plan, or kInvalidArgument: "invalid TO 'x': ...", "a TLS listener needs
// --cert and --key", "--cert, --key, --client-ca, --alpn and --tls-legacy
// need a TLS listener (a tls: FROM)", "--ca-file, --servername, --pin and
// --insecure are for a tls: TO". With --api or --config, FROM and TO may be
// left out (then relay serves only the API's proxies). It opens no file and
// resolves no name.
// `listen_fds` are the descriptors of socket activation.
absl::StatusOr<Plan> Validate(const Options& opts, const std::vector<std::string>& args,
                              const std::vector<int>& listen_fds);

// Run first prepares (Prepare: the TLS contexts loaded, TO and
// the proxy resolved: "TO: resolve x.invalid: Name or service not known",
// kNotFound), then serves until SIGTERM or SIGINT, drains for
// plan.drain_timeout, and returns OK; or returns the error that stopped it. It writes
// "listening on ADDR (tcp)" to `out`, -v lines and stats to `log` (stats on
// SIGUSR1 and at exit).
absl::Status Run(const Plan& plan, std::ostream& out, std::ostream& log);


}  // namespace ipckit::relay_tool

#endif  // IPCKIT_TOOLS_RELAY_RELAY_H_
