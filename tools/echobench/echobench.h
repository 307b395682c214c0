// echobench: a load generator for echo servers that verifies every byte.
//
// Threads: Validate and Format on any thread; Run and Measure on main's,
// one event loop (lib/selector) driving every connection.
#ifndef IPCKIT_TOOLS_ECHOBENCH_ECHOBENCH_H_
#define IPCKIT_TOOLS_ECHOBENCH_ECHOBENCH_H_

#include <stdint.h>

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/cli/options.h"
#include "lib/cli/tls_flags.h"
#include "tools/echobench/histogram.h"

namespace ipckit::echobench {

// Settings are the flags as the parser typed them, and --rate once
// Validate has parsed it: the Plan holds them whole.
struct Settings {
  std::string target;          // HOST:PORT, [IPV6]:PORT, or a path with -U (as given; the Plan parses it).
  bool udp = false;            // -u
  bool unix_socket = false;    // -U
  int connections = 10;        // -c
  uint32_t message = 64;       // -m, bytes per request.
  int depth = 1;               // --depth: requests in flight per connection.
  double rate = 0;             // --rate: requests/s over all connections; 0: closed loop.
  absl::Duration duration = absl::Seconds(5);
  absl::Duration warmup = absl::ZeroDuration();
  absl::Duration timeout = absl::Seconds(5);  // UDP: a reply later than this is lost.
  bool json = false;
  bool progress = false;       // A line per second on `log` (default: when it is a terminal).
  bool connect_only = false;   // Connect and close as fast as possible; report connects/s.
  // TLS (--tls): each connection handshakes first; --connect-only then
  // measures full handshakes per second.
  bool tls = false;
  // From lib/cli's TLS client group (Options::tls_client), set by Validate:
  bool insecure = false;       // --insecure (-k): do not verify the server.
  std::string ca_file;         // --ca-file
  std::string servername;      // --servername (default: the target's host).
};

// Options are echobench's flags as given: the Settings, --rate's text and
// the TLS client group (--ca-file, --servername, -k/--insecure), which
// Validate parses.
struct Options : Settings {
  std::string rate_text = "0";  // --rate
  cli::TlsClientFlags tls_client{{"ca-file", "servername", nullptr, "insecure", 'k'}};
};

// ToolInfo is echobench's synopsis, summary and --help epilog.
cli::ToolInfo ToolInfo();

// DeclareOptions declares each of echobench's options on `p`, once, filling
// `o`; o->target is set by main from what the parse leaves.
void DeclareOptions(cli::Parser& p, Options* o);

struct Report {
  uint64_t requests = 0;       // Completed in the measured window.
  uint64_t bytes = 0;          // Echoed bytes in the measured window (each way).
  absl::Duration elapsed;      // Length of the measured window.
  Histogram latency;
  uint64_t connect_errors = 0;
  uint64_t verify_errors = 0;  // Corrupted, lost or truncated echoes.
  uint64_t lost = 0;           // UDP replies that never came.
  std::string first_error;
};

// Plan is Options checked, with the target parsed: a host and port, or a
// Unix socket path with -U.
struct Plan {
  Settings settings;
  std::string host;    // Empty with -U.
  uint16_t port = 0;
};

// Validate returns the plan, or kInvalidArgument: "-m must be at least 1
// byte", "--depth must be 1 with -u", "missing target address", "invalid
// address 'x': expected HOST:PORT or [IPV6]:PORT", "--rate: invalid number
// 'x'".
absl::StatusOr<Plan> Validate(const Options& opts);

// Measure drives the load and returns the report; a failure to set up (the
// host does not resolve) is an error, but failures during the run are
// counted in it.
absl::StatusOr<Report> Measure(const Plan& plan, std::ostream& log);

// Run measures and writes the report (Format) to `out` (with --insecure, a
// warning to `log` first that the server is not verified): OK when every byte
// came back intact, cli::ExitWith(1) when the report counts connect,
// verify or loss errors, or Measure's error.
absl::Status Run(const Plan& plan, std::ostream& out, std::ostream& log);

// Format returns the human-readable or JSON report.
std::string Format(const Settings& opts, const Report& r);

}  // namespace ipckit::echobench

#endif  // IPCKIT_TOOLS_ECHOBENCH_ECHOBENCH_H_
