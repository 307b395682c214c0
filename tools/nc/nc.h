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
#include "tools/nc/nc_options.h"

namespace ipckit::nc {

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

// ExitCode maps Run's status to nc's exit code: 0, 1, kExitTimeout, or
// kExitTlsVerify (kUnauthenticated).
int ExitCode(const absl::Status& status);

}  // namespace ipckit::nc

#endif  // IPCKIT_TOOLS_NC_NC_H_
