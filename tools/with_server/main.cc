// with_server: run a command with live servers around it.
#include <signal.h>

#include <iostream>

#include "lib/cli/options.h"
#include "lib/io/fd.h"
#include "tools/with_server/with_server.h"

namespace {

constexpr char kEpilog[] =
    R"TXT(Each --server NAME[:N]=COMMAND starts COMMAND (split on spaces; "sh:..." runs
the rest with /bin/sh -c, for quoting and redirections) in its own
process group, with stdout and stderr in NAME.log (in --log-dir, else
$TEST_UNDECLARED_OUTPUTS_DIR, else a temporary directory). It is ready once
it has printed N (default 1) lines containing "listening on ADDR" (echod's
stdout) or starting "Listening on HOST PORT" or "Bound on HOST PORT" (nc -lv's
and netcat-openbsd's stderr), or, if COMMAND mentions {port_file}, once that file
holds N lines (ports mean 127.0.0.1:PORT, other lines are socket paths).
{tmpdir} is a private directory short enough for Unix socket paths.

The command then runs with, per server: NAME_ADDR, NAME_HOST, NAME_PORT (or
NAME_SOCKET for a Unix path), the same with _0, _1, ... for each listener,
NAME_PID and NAME_LOG; and WITH_SERVER_TMPDIR. SIGTERM, SIGINT and SIGHUP
are passed on to the command. Afterwards every server gets SIGTERM, then
SIGKILL after --grace, and is reaped.

Exit status: the command's (128+N if signal N ended it); 125 if a server
failed to start, exited or was not ready within --ready-timeout (the reason
and the end of its log on stderr); 126/127 if the command cannot be run;
2 usage error.

Examples:
  with_server --server 'ECHO=echod -l 127.0.0.1:0' -- sh -c 'echo hi | nc -N $ECHO_HOST $ECHO_PORT'
  with_server --server 'E:2=echod -l 127.0.0.1:0 -U {tmpdir}/e.sock' -- ./client_test
  with_server --server 'NC=nc -l 127.0.0.1 0 --port-file {port_file}' -- ./sender)TXT";

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  ipckit::with_server::Options o;
  ipckit::cli::Parser p(ipckit::cli::ToolInfo{
      "with_server",
      {"--server NAME[:N]=COMMAND... [options] -- COMMAND [ARG]..."},
      "Start servers, wait until they listen, run COMMAND with their addresses, stop them.",
      kEpilog,
      true});
  p.Strings('s', "server", "NAME[:N]=COMMAND", "a server to start (repeatable)", &o.server_args)
      .Duration('t', "ready-timeout", "DURATION", "how long all servers get to become ready (10s)",
                &o.ready_timeout)
      .Duration(0, "grace", "DURATION", "after SIGTERM, how long servers get before SIGKILL (5s)", &o.grace)
      .String(0, "log-dir", "DIR", "where NAME.log files go", &o.log_dir)
      .Flag('v', "verbose", "print the exported variables on stderr", &o.verbose);
  o.command = p.ParseOrExit(argc, argv);
  absl::Status s = ipckit::io::EnsureStandardFds();
  if (!s.ok()) return p.Fail(s);
  absl::StatusOr<ipckit::with_server::Plan> plan = ipckit::with_server::Validate(o);
  if (!plan.ok()) return p.UsageError(plan.status());
  return ipckit::with_server::Run(*plan, std::cerr);
}
