// stdio.h: relay's `stdio` FROM, one session between this process's stdin
// and stdout and TO (socat's `STDIO TCP:host:port`), on lib/relay's
// one-connection loop. Faults and the control socket are for listeners.
#ifndef IPCKIT_TOOLS_RELAY_STDIO_H_
#define IPCKIT_TOOLS_RELAY_STDIO_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "lib/tls/tls_stream.h"
#include "tools/relay/plan.h"

namespace ipckit::relay_tool {

// RunStdio opens TO (connect, TLS handshake and pin check, or a child),
// relays stdin to it and its output to stdout until both directions have
// ended (stdin's EOF is passed on as a half-close), and returns OK or the
// first error: "connect 127.0.0.1:9: Connection refused", "handshake
// server: certificate verify failed: ...", "read server: Connection reset by peer".
absl::Status RunStdio(const Plan& plan);

// CheckPins returns OK when `pins` is empty or names the key of a
// certificate in the chain `tls` received, else kUnauthenticated "TLS:
// certificate pin mismatch: the server's key is sha256//...".
absl::Status CheckPins(const tls::TlsStream& tls, const std::vector<std::string>& pins);

}  // namespace ipckit::relay_tool

#endif  // IPCKIT_TOOLS_RELAY_STDIO_H_
