// echo_client.h: a small client library, the kind of code a project tests
// against a live echo server: Exchange sends a request, half-closes, and
// returns the whole reply; it checks that the reply is the request.
#ifndef IPCKIT_EXAMPLES_ECHO_CLIENT_ECHO_CLIENT_H_
#define IPCKIT_EXAMPLES_ECHO_CLIENT_ECHO_CLIENT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace example {

// Exchange sends `request` to the echo server at `host_port`, half-closes,
// reads the reply to its end and returns it when it equals the request.
// Failures: the connect error ("connect 127.0.0.1:9: Connection refused"),
// kAborted "read: Connection reset by peer", kDataLoss "short echo: 5 of
// 11 bytes", kDataLoss "echo differs at byte 3".
absl::StatusOr<std::string> Exchange(const std::string& host_port, absl::string_view request,
                                     absl::Duration timeout);

}  // namespace example

#endif  // IPCKIT_EXAMPLES_ECHO_CLIENT_ECHO_CLIENT_H_
