// server_spec.h: with_server's description of one server to start, parsed
// from `--server NAME[:N]=COMMAND`, and the environment a ready server's
// listening addresses become.
#ifndef IPCKIT_TOOLS_WITH_SERVER_SERVER_SPEC_H_
#define IPCKIT_TOOLS_WITH_SERVER_SERVER_SPEC_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipckit::with_server {

struct ServerSpec {
  std::string name;                  // Upper-case variable prefix: ECHO.
  int listeners = 1;                 // "listening on" lines (or port-file lines) to wait for.
  std::vector<std::string> command;  // argv; {port_file} and {tmpdir} are replaced.
  bool uses_port_file = false;       // COMMAND mentions {port_file}: readiness is that file.
};

// ParseServerSpec parses "NAME=COMMAND" or "NAME:N=COMMAND" (COMMAND split
// on whitespace, or run by /bin/sh -c when it starts with "sh:"), or fails with kInvalidArgument: "--server 'x': expected
// NAME[:N]=COMMAND", "--server 'echo=...': NAME must be [A-Z][A-Z0-9_]*".
absl::StatusOr<ServerSpec> ParseServerSpec(absl::string_view text);

// AddressEnvironment returns the variables for listener `index` of server
// `name` at `addr`: NAME_ADDR=addr, NAME_HOST and NAME_PORT for "host:port"
// and "[v6]:port", NAME_SOCKET for a path (anything without a colon) or @abstract name. Listener 0 gets
// the plain names; every listener also gets NAME_ADDR_<index> and the rest
// suffixed the same way.
std::map<std::string, std::string> AddressEnvironment(const std::string& name, int index,
                                                      const std::string& addr);

}  // namespace ipckit::with_server

#endif  // IPCKIT_TOOLS_WITH_SERVER_SERVER_SPEC_H_
