// tls_error.h turns BoringSSL's thread-local error queue into absl::Status
// values, so every TLS failure in ipckit reads the same way:
// "load certificate server.pem: NO_START_LINE" or
// "handshake 127.0.0.1:4433: WRONG_VERSION_NUMBER".
//
// Example:
//
//   if (!SSL_CTX_use_certificate_chain_file(ctx, path.c_str())) {
//     return TlsError(absl::StatusCode::kInvalidArgument, "load certificate " + path);
//   }
//
// Threads: any thread; TlsError reads the calling thread's own error queue,
// so call it on the thread whose BoringSSL call failed.
#ifndef IPCKIT_LIB_TLS_TLS_ERROR_H_
#define IPCKIT_LIB_TLS_TLS_ERROR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ipckit::tls {

// TlsErrorReason returns the reason of the oldest error on BoringSSL's queue
// ("WRONG_VERSION_NUMBER"), or "" when the queue is empty. It clears the
// queue either way, so a stale error never leaks into the next operation.
std::string TlsErrorReason();

// TlsError returns a status with `code` and "context: reason" from
// TlsErrorReason, or "context: unknown TLS error" when the queue is empty.
absl::Status TlsError(absl::StatusCode code, absl::string_view context);

}  // namespace ipckit::tls

#endif  // IPCKIT_LIB_TLS_TLS_ERROR_H_
