// with_server: start servers, wait until each reports where it listens, run a
// command with their addresses in its environment, then stop the servers and
// exit with the command's status. The fixture runner for hermetic tests.
//
// Threads: Validate on any thread; Run on main's thread (it is the child
// subreaper and reaps every child).
#ifndef IPCKIT_TOOLS_WITH_SERVER_WITH_SERVER_H_
#define IPCKIT_TOOLS_WITH_SERVER_WITH_SERVER_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/cli/exit_code.h"
#include "lib/cli/options.h"
#include "tools/with_server/server_spec.h"

namespace ipckit::with_server {

// kExitSetup is the exit status when with_server itself fails: a server
// could not start, exited, or was not ready in time (as env(1) and
// timeout(1), 125 stays clear of the command's own codes).
inline constexpr int kExitSetup = 125;

struct Options {
  std::vector<std::string> server_args;  // --server NAME[:N]=COMMAND, in order.
  std::vector<std::string> command;      // After --.
  absl::Duration ready_timeout = absl::Seconds(10);  // --ready-timeout, for all servers together.
  absl::Duration grace = absl::Seconds(5);           // --grace: SIGTERM to SIGKILL.
  std::string log_dir;                   // --log-dir; default $TEST_UNDECLARED_OUTPUTS_DIR, else the work dir.
  bool verbose = false;                  // -v: report readiness and the environment on stderr.
  PerServer per_server;                  // --ready-log, --ready-http, --socket-activation, --may-exit, ...
};

// Plan is Options checked and parsed: the servers in order, the command,
// and the limits.
struct Plan {
  std::vector<ServerSpec> servers;
  std::vector<std::string> command;
  absl::Duration ready_timeout;
  absl::Duration grace;
  std::string log_dir;  // Empty: $TEST_UNDECLARED_OUTPUTS_DIR, else the work dir.
  bool verbose = false;
};

// ToolInfo is with_server's synopsis, summary and --help epilog.
cli::ToolInfo ToolInfo();

// DeclareOptions declares each of with_server's options on `p`, once, with
// its help, filling `o` as they are parsed (o->command is what the parser
// leaves: the words after --).
void DeclareOptions(cli::Parser& p, Options* o);

// Validate returns the plan, or the first problem as kInvalidArgument
// ("missing command after --", "--server 'x': ...", "--server ECHO given
// twice").
absl::StatusOr<Plan> Validate(const Options& o);

// Run starts the servers in order (each ready before the next), runs the
// command, stops the servers in reverse order and returns cli::ExitWith the
// exit status: the command's (128+n if a signal ended it), or kExitSetup
// with the reason on `err`: a server not ready ("with_server: ECHO not ready after 10s (saw 0
// of 1 'listening on' lines); log: /x/ECHO.log" and the log's last lines),
// one that exited while the command ran, or (when the command passed) one
// that stopped uncleanly after SIGTERM.
absl::Status Run(const Plan& plan, std::ostream& err);

}  // namespace ipckit::with_server

#endif  // IPCKIT_TOOLS_WITH_SERVER_WITH_SERVER_H_
