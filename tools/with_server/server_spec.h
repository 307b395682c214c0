// server_spec.h: with_server's description of one server to start, parsed
// from `--server NAME[:N]=COMMAND`, and the environment a ready server's
// listening addresses become.
//
// Threads: pure parsing: any thread.
#ifndef IPCKIT_TOOLS_WITH_SERVER_SERVER_SPEC_H_
#define IPCKIT_TOOLS_WITH_SERVER_SERVER_SPEC_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tools/with_server/readiness.h"

namespace ipckit::with_server {

// Ready is how a server shows it is ready (the first that applies, in this
// order): kActivation (--socket-activation: ready at once, with_server
// listens for it), kLog (--ready-log), kPortFile ({port_file}), kPort ({port}:
// a TCP connect succeeds), kLines ("listening on" lines).
enum class Ready { kActivation, kLog, kPortFile, kPort, kLines };

struct ServerSpec {
  std::string name;                  // Upper-case variable prefix: ECHO.
  int listeners = 1;                 // "listening on" lines (or port-file lines) to wait for.
  // argv; {port_file}, {port}, {tmpdir} and earlier servers' variables
  // ({ECHO_ADDR}, {ECHO_PORT}, ...) are replaced when it starts.
  std::vector<std::string> command;
  bool uses_port_file = false;       // COMMAND mentions {port_file}.
  bool uses_port = false;            // COMMAND mentions {port}: with_server picks a free port.
  Ready ready = Ready::kLines;
  std::optional<LogPattern> log_pattern;  // --ready-log: a line matching it; its first group is the port.
  std::string log_pattern_text;
  std::string http_path;             // --ready-http: then GET this path until 2xx.
  bool may_exit = false;             // --may-exit: exiting while the command runs is fine.
  bool allow_unclean_stop = false;   // --allow-unclean-stop: a non-zero exit after SIGTERM is fine.
};

// PerServer holds the per-server options, each "NAME=VALUE" or "NAME".
struct PerServer {
  std::vector<std::string> ready_log, ready_http, socket_activation, may_exit, allow_unclean_stop;
};

// ApplyPerServer sets what `options` say on the servers they name, or fails
// with kInvalidArgument: "--ready-log 'X=...': no --server X", "--ready-log
// 'HTTP': expected NAME=PATTERN", "--ready-log 'H=x(': bad pattern 'x(': ...",
// "--ready-http 'H=x': PATH must start with /", "--socket-activation H: it
// listens itself, so it takes no {port} or {port_file}".
absl::Status ApplyPerServer(const PerServer& options, std::vector<ServerSpec>& servers);

// ParseServerSpec parses "NAME=COMMAND" or "NAME:N=COMMAND" (COMMAND split
// on whitespace, or run by /bin/sh -c when it starts with "sh:"), or fails with kInvalidArgument: "--server 'x': expected
// NAME[:N]=COMMAND", "--server 'echo=...': NAME must be [A-Z][A-Z0-9_]*".
absl::StatusOr<ServerSpec> ParseServerSpec(absl::string_view text);

// CheckReferences checks every {NAME_ADDR}-style reference in the servers'
// commands ({NAME_ADDR}, {NAME_HOST}, {NAME_PORT}, {NAME_SOCKET}, each
// optionally with _<listener>): NAME must be a server started before (they
// start in the order given) and the listener one it has. Otherwise it
// fails with kInvalidArgument: "--server B: {A_ADDR} names A, which starts
// after B (servers start in the order given)", "--server B: {X_PORT} names
// no server", "--server B: {A_ADDR_2}: A has 1 listener". "${...}" is the
// shell's and is left alone.
absl::Status CheckReferences(const std::vector<ServerSpec>& servers);

// AddressEnvironment returns the variables for listener `index` of server
// `name` at `addr`: NAME_ADDR=addr, NAME_HOST and NAME_PORT for "host:port"
// and "[v6]:port", NAME_SOCKET for a path (anything without a colon) or @abstract name. Listener 0 gets
// the plain names; every listener also gets NAME_ADDR_<index> and the rest
// suffixed the same way.
std::map<std::string, std::string> AddressEnvironment(const std::string& name, int index,
                                                      const std::string& addr);

}  // namespace ipckit::with_server

#endif  // IPCKIT_TOOLS_WITH_SERVER_SERVER_SPEC_H_
