// nc: a netcat-compatible client and listener (OpenBSD flags, Debian's -q),
// on lib/net, lib/selector and lib/relay.
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

namespace ipckit::nc {

// Exit codes beyond lib/cli's 0 (ok), 1 (failure) and 2 (usage).
inline constexpr int kExitTimeout = 3;  // A connect (or -z probe) timed out.

struct Options {
  bool ipv4 = false;                 // -4
  bool ipv6 = false;                 // -6
  bool listen = false;               // -l
  bool keep_listening = false;       // -k
  bool udp = false;                  // -u
  bool unix_socket = false;          // -U
  bool scan = false;                 // -z
  int verbose = 0;                   // -v
  bool numeric = false;              // -n
  bool shutdown_on_eof = false;      // -N
  bool no_shutdown = false;          // --no-shutdown
  std::optional<std::string> quit_after;  // -q SECS (negative: never)
  std::optional<absl::Duration> timeout;  // -w
  std::string source_address;        // -s
  std::optional<int> source_port;    // -p
  bool crlf = false;                 // -C
  bool no_stdin = false;             // -d
  absl::Duration interval = absl::ZeroDuration();  // -i
  std::optional<std::string> tos;    // -T
  std::optional<int> recv_buffer;    // -I
  std::optional<int> send_buffer;    // -O
  bool random_ports = false;         // -r
  bool pass_fd = false;              // -F
  bool send_only = false;            // --send-only
  bool recv_only = false;            // --recv-only
  bool keep_sending = false;         // --keep-sending
  std::string port_file;             // --port-file
  std::string exec;                  // --exec
  std::string sh_exec;               // --sh-exec
  // Flags whose meaning differs between netcats; given, they are rejected.
  std::optional<std::string> flag_e, flag_c, flag_x, flag_X, flag_P;
  bool flag_t = false;
  std::vector<std::string> args;     // HOST PORT[S], or PORT / HOST PORT with -l, or PATH with -U.
};

// Validate returns OK, or kInvalidArgument describing the first conflict or
// bad argument: "cannot use -z with -l", "-k requires -l",
// "-e is not supported: ...", "missing port".
absl::Status Validate(const Options& opts);

// TosValue returns the IP TOS byte for a number (decimal or 0x hex, 0-255)
// or an OpenBSD keyword (lowdelay, throughput, reliability, lowcost,
// critical, inetcontrol, netcontrol, ef, af11..af43, cs0..cs7), or
// kInvalidArgument.
absl::StatusOr<int> TosValue(const std::string& text);

// Run does what `opts` asks, writing -v messages to `log`, and returns OK or
// the failure: "connect 127.0.0.1:9: Connection refused", "connect
// 127.0.0.1:9: timed out after 1s" (kDeadlineExceeded), "write stdout:
// Broken pipe".
absl::Status Run(const Options& opts, std::ostream& log);

// ExitCode maps Run's status to nc's exit code: 0, 1, or kExitTimeout.
int ExitCode(const absl::Status& status);

}  // namespace ipckit::nc

#endif  // IPCKIT_TOOLS_NC_NC_H_
