// http_client.h: the smallest HTTP/1.0 client, the kind of code a project
// tests against a real web server (here `python3 -m http.server`, started
// by ipckit's fixture with HTTP readiness).
#ifndef IPCKIT_EXAMPLES_HTTP_CLIENT_HTTP_CLIENT_H_
#define IPCKIT_EXAMPLES_HTTP_CLIENT_HTTP_CLIENT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace example {

struct Response {
  int status = 0;    // 200
  std::string body;
};

// Get fetches `path` from `host_port` ("127.0.0.1:8000") with HTTP/1.0 and
// returns the status and body, or the failure: the connect error, kDataLoss
// "not an HTTP response: ...", kDeadlineExceeded "read: timed out".
absl::StatusOr<Response> Get(const std::string& host_port, const std::string& path, absl::Duration timeout);

}  // namespace example

#endif  // IPCKIT_EXAMPLES_HTTP_CLIENT_HTTP_CLIENT_H_
