// prepare.h is the step between relay's Validate and its serving: what a
// Plan names, opened and resolved. Internal to relay.
// Threads: Prepare runs on the main thread (the API's proxies: the control loop's).
#ifndef IPCKIT_TOOLS_RELAY_PREPARE_H_
#define IPCKIT_TOOLS_RELAY_PREPARE_H_

#include "absl/status/status.h"
#include "tools/relay/plan.h"

namespace ipckit::relay_tool {

// Prepare resolves FROM's host name (if it has one), then loads what `p`
// names into p->loaded: the TLS contexts (a file's error: "load
// certificate c.pem: No such file or directory") and TO's and the proxy's
// addresses ("TO: resolve x.invalid: Name or service not known", "--proxy:
// resolve ..."), or returns the first error.
absl::Status Prepare(Plan* p);

}  // namespace ipckit::relay_tool

#endif  // IPCKIT_TOOLS_RELAY_PREPARE_H_
