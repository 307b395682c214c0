// retrying_client.h: a request/reply client with a deadline per try and a
// bounded number of tries, the kind of logic a project wants to see fail
// the right way against a slow or flaky server (here: ipckit's relay with
// faults in front of echod).
#ifndef IPCKIT_EXAMPLES_RELAY_FIXTURE_RETRYING_CLIENT_H_
#define IPCKIT_EXAMPLES_RELAY_FIXTURE_RETRYING_CLIENT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace example {

// Call sends `request` to `host_port`, half-closes and reads the reply to
// its end within `timeout`; it returns the reply when it is the whole
// request echoed, else kDeadlineExceeded "timed out after 100ms", kDataLoss
// "short reply: 8 of 100 bytes", or the connect or read error.
absl::StatusOr<std::string> Call(const std::string& host_port, absl::string_view request, absl::Duration timeout);

struct Outcome {
  absl::StatusOr<std::string> reply;  // The first success, or the last try's error.
  int tries = 0;
};

// CallWithRetry calls up to `tries` times, `timeout` each, retrying on
// timeouts, resets and short replies (the transient failures).
Outcome CallWithRetry(const std::string& host_port, absl::string_view request, absl::Duration timeout, int tries);

}  // namespace example

#endif  // IPCKIT_EXAMPLES_RELAY_FIXTURE_RETRYING_CLIENT_H_
