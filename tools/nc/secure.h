// secure.h: nc's TLS (--ssl): the context from nc's options and the client
// and server handshakes, with the -v report, certificate pins and the
// --insecure warning. The result is a lib/tls TlsStream the relay moves
// bytes through like any socket.
//
// Threads: PlanTls on any thread; the handshakes on the thread that owns
// the socket; a TlsContext is shared read-only by -lk --exec's threads.
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
#include "tools/nc/nc.h"

namespace ipckit::nc {

// MakeTls returns the TLS context the plan's --ssl asks for (client, or
// server with -l), nullopt without --ssl, or the error loading a file
// ("load certificate c.pem: No such file or directory").
absl::StatusOr<std::optional<tls::TlsContext>> MakeTls(const Plan& p);

// SecureClient runs a client handshake over `sock` for `host` (the name or
// address the certificate must match, unless --ssl-servername gives one),
// then checks --ssl-pin. Verification failures and pin mismatches are
// kUnauthenticated ("handshake net: certificate verify failed: Hostname
// mismatch", "TLS: certificate pin mismatch: ...").
absl::StatusOr<std::unique_ptr<tls::TlsStream>> SecureClient(const tls::TlsContext& ctx, net::Socket sock,
                                                        const std::string& host, const Plan& p,
                                                        std::ostream& log);

// SecureServer runs a server handshake over an accepted `sock`.
absl::StatusOr<std::unique_ptr<tls::TlsStream>> SecureServer(const tls::TlsContext& ctx, net::Socket sock,
                                                        const Plan& p, std::ostream& log);

// PlanTls parses --ssl and its flags (lib/cli's TLS groups, in ncat's
// spelling) into the plan's TlsPlan, nullopt without --ssl, or returns the
// first problem as kInvalidArgument ("--ssl-* options and --insecure
// require --ssl", "a TLS listener needs --ssl-cert and --ssl-key").
absl::StatusOr<std::optional<TlsPlan>> PlanTls(const Options& o);

}  // namespace ipckit::nc

#endif  // IPCKIT_TOOLS_NC_SECURE_H_
