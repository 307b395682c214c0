// scan.h: nc -z, netcat-openbsd's port scan (TCP connects, UDP probes
// answered only by ICMP port-unreachable, -r's random order).
//
// Threads: nc's main thread.
#ifndef IPCKIT_TOOLS_NC_SCAN_H_
#define IPCKIT_TOOLS_NC_SCAN_H_

#include "absl/status/status.h"
#include "tools/nc/nc.h"
#include "tools/nc/session.h"

namespace ipckit::nc {

// RunScan probes each port of the plan's target in turn, reporting at -v.
// It returns OK when any port is open, else the last failure (Reported
// when it was printed).
absl::Status RunScan(const Plan& p, Log& log);

}  // namespace ipckit::nc

#endif  // IPCKIT_TOOLS_NC_SCAN_H_
