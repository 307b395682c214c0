// options.cc: with_server's command line, declared once: the synopsis,
// the --help epilog and every option (with_server.h's DeclareOptions), for
// main and for the tests that build a Plan from argv.
#include "tools/with_server/with_server.h"

namespace ipckit::with_server {
namespace {

constexpr char kEpilog[] =
    R"TXT(Each --server NAME[:N]=COMMAND starts COMMAND (split on spaces; "sh:..." runs
the rest with /bin/sh -c, for quoting and redirections) in its own process
group, with stdout and stderr in NAME.log (in --log-dir, else
$TEST_UNDECLARED_OUTPUTS_DIR, else a temporary directory). Servers start in
the order given, each ready before the next, so a later COMMAND may use an
earlier server's {NAME_ADDR}, {NAME_HOST}, {NAME_PORT}, {NAME_SOCKET}.
A server is ready (all within --ready-timeout) once it has:
  printed N (default 1) lines containing "listening on ADDR" (echod, relay) or
    starting "Listening on HOST PORT" / "Bound on HOST PORT" (nc -lv);
  or, if COMMAND mentions {port_file}, written N lines there (HOST:PORT,
    [V6]:PORT, a path, or a bare port: the address COMMAND binds, else 127.0.0.1);
  or, if COMMAND mentions {port} (a free port with_server picked), accepted a
    TCP connect there;
  or, with --ready-log NAME=PATTERN, printed a line matching PATTERN (POSIX ERE
    plus \d \w \s), whose first (group) is its port or address;
  or, with --socket-activation NAME, at once: with_server listens on
    127.0.0.1:0 and hands it the socket as fd 3 (LISTEN_FDS=1, LISTEN_PID);
and then, with --ready-http NAME=PATH, answered GET PATH with 2xx.
{tmpdir} is a private directory short enough for Unix socket paths.
The command then runs with, per server: NAME_ADDR, NAME_HOST, NAME_PORT (or
NAME_SOCKET for a Unix path), the same with _0, _1, ... for each listener,
NAME_PID and NAME_LOG; and WITH_SERVER_TMPDIR. SIGTERM, SIGINT and SIGHUP
are passed on to the command. A server that exits while the command runs
(unless --may-exit NAME) stops the command and the run. Afterwards the
servers get SIGTERM in reverse order, each SIGKILL after --grace; one that
exits non-zero (not by the SIGTERM itself) or needs SIGKILL fails a passing
command (unless --allow-unclean-stop NAME).

Exit status: the command's (128+N if signal N ended it); 125 if a server
failed to start, was not ready within --ready-timeout, exited while the
command ran, or (the command passing) stopped uncleanly, with the reason and
the end of its log on stderr; 126/127 if the command cannot be run; 2 usage
error.

Examples:
  with_server --server 'ECHO=echod -l 127.0.0.1:0' -- sh -c 'echo hi | nc -N $ECHO_HOST $ECHO_PORT'
  with_server --server 'E:2=echod -l 127.0.0.1:0 -U {tmpdir}/e.sock' -- ./client_test
  with_server --server 'ECHO=echod -l 127.0.0.1:0' --server 'TLS=relay tls:127.0.0.1:0 {ECHO_ADDR} --cert c --key k' -- ./t
  with_server --server 'HTTP=python3 -m http.server {port} --bind 127.0.0.1' --ready-http HTTP=/ -- ./client
  with_server --server 'NC=nc -l 127.0.0.1 0 --port-file {port_file}' --may-exit NC -- ./sender)TXT";

}  // namespace

cli::ToolInfo ToolInfo() {
  return cli::ToolInfo{
      "with_server",
      {"--server NAME[:N]=COMMAND... [options] -- COMMAND [ARG]..."},
      "Start servers, wait until they listen, run COMMAND with their addresses, stop them.",
      kEpilog,
      true};
}

void DeclareOptions(cli::Parser& p, Options* o) {
  p.Strings('s', "server", "NAME[:N]=COMMAND", "a server to start (repeatable)", &o->server_args)
      .Duration('t', "ready-timeout", "DURATION", "how long all servers get to become ready (10s)",
                &o->ready_timeout)
      .Duration(0, "grace", "DURATION", "after SIGTERM, how long servers get before SIGKILL (5s)", &o->grace)
      .String(0, "log-dir", "DIR", "where NAME.log files go", &o->log_dir)
      .Strings(0, "ready-log", "NAME=PATTERN",
               "NAME is ready at a log line matching PATTERN; its first (group) is the port or address",
               &o->per_server.ready_log)
      .Strings(0, "ready-http", "NAME=PATH", "then NAME is ready once GET PATH answers 2xx", &o->per_server.ready_http)
      .Strings(0, "socket-activation", "NAME",
               "listen on 127.0.0.1:0 for NAME and hand it the socket (fd 3, LISTEN_FDS=1): ready at once",
               &o->per_server.socket_activation)
      .Strings(0, "may-exit", "NAME", "NAME may exit while the command runs (else that fails the run)",
               &o->per_server.may_exit)
      .Strings(0, "allow-unclean-stop", "NAME",
               "NAME may exit non-zero (or need SIGKILL) after SIGTERM (else that fails a passing run)",
               &o->per_server.allow_unclean_stop)
      .Flag('v', "verbose", "print the exported variables on stderr", &o->verbose);
}

}  // namespace ipckit::with_server
