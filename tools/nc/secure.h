// secure.h: nc's TLS (--ssl): the context from nc's options and the client
// and server handshakes, with the -v report, certificate pins and the
// --insecure warning. The result is a lib/tls TlsStream the relay moves
// bytes through like any socket.
#ifndef IPCKIT_TOOLS_NC_SECURE_H_
#define IPCKIT_TOOLS_NC_SECURE_H_

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/net/socket.h"
#include "lib/tls/tls_context.h"
#include "lib/tls/tls_stream.h"
#include "tools/nc/nc_options.h"

namespace ipckit::nc {

// MakeTls returns the TLS context --ssl and its options ask for (client, or
// server with -l), or nullopt without --ssl, or the error loading a file.
absl::StatusOr<std::optional<tls::TlsContext>> MakeTls(const Options& o);

// SecureClient runs a client handshake over `sock` for `host` (the name or
// address the certificate must match, unless --ssl-servername gives one),
// then checks --ssl-pin. Verification failures and pin mismatches are
// kUnauthenticated ("handshake net: certificate verify failed: Hostname
// mismatch", "TLS: certificate pin mismatch: ...").
absl::StatusOr<std::unique_ptr<tls::TlsStream>> SecureClient(const tls::TlsContext& ctx, net::Socket sock,
                                                        const std::string& host, const Options& o,
                                                        std::ostream& log);

// SecureServer runs a server handshake over an accepted `sock`.
absl::StatusOr<std::unique_ptr<tls::TlsStream>> SecureServer(const tls::TlsContext& ctx, net::Socket sock,
                                                        const Options& o, std::ostream& log);

// ValidateTls returns the first problem with the TLS and proxy options, as
// kInvalidArgument ("--ssl-cert requires --ssl").
absl::Status ValidateTls(const Options& o);

}  // namespace ipckit::nc

#endif  // IPCKIT_TOOLS_NC_SECURE_H_
