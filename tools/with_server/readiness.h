// readiness.h: the ways with_server tells that a server is ready, beyond
// its "listening on" lines: a log line matching a pattern (--ready-log),
// a port file's lines (with the host a bare port means), a TCP connect to
// a port with_server chose ({port}), and an HTTP GET answered 2xx
// (--ready-http).
//
// Threads: a readiness check runs on main's thread, one server at a time.
#ifndef IPCKIT_TOOLS_WITH_SERVER_READINESS_H_
#define IPCKIT_TOOLS_WITH_SERVER_READINESS_H_

#include <regex.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ipckit::with_server {

// TranslatePattern returns `text` as a POSIX extended regular expression:
// Perl's \d \D \w \W \s \S become bracket expressions, the rest is kept.
std::string TranslatePattern(absl::string_view text);

// LogPattern is a compiled --ready-log pattern.
class LogPattern {
 public:
  // Compile compiles `text` (TranslatePattern's dialect), or fails with
  // kInvalidArgument "bad pattern 'x(': parentheses not balanced".
  static absl::StatusOr<LogPattern> Compile(absl::string_view text);

  // Match returns nullopt when `line` does not match, else the text of the
  // first group ("" when the pattern has none or it matched nothing).
  std::optional<std::string> Match(absl::string_view line) const;

 private:
  std::shared_ptr<regex_t> re_;
};

// BindHostOf returns the address a bare port in a port file stands for: the
// IP literal `argv` tells the server to bind (the first argument of the form
// HOST:PORT or [V6]:PORT with a numeric host, a wildcard becoming its
// family's loopback), or "127.0.0.1" when there is none.
std::string BindHostOf(const std::vector<std::string>& argv);

// PortFileAddresses returns the addresses in a port file's text: a
// HOST:PORT or [V6]:PORT line as it is, a bare port as `host`:PORT (or
// [host]:PORT for IPv6), anything else (a socket path) as it is.
std::vector<std::string> PortFileAddresses(absl::string_view text, const std::string& host);

// TcpConnects reports whether a TCP connect to `addr` ("host:port",
// "[v6]:port") succeeds now (the socket is closed again at once).
bool TcpConnects(const std::string& addr);

// HttpGet sends "GET `path` HTTP/1.0" to `addr` and returns OK for a 2xx
// status line, or kUnavailable with what happened: "GET /health: 503
// Service Unavailable", "connect 127.0.0.1:8: Connection refused",
// "GET /: no status line by the deadline".
absl::Status HttpGet(const std::string& addr, const std::string& path, absl::Time deadline);

}  // namespace ipckit::with_server

#endif  // IPCKIT_TOOLS_WITH_SERVER_READINESS_H_
