// listen.h: nc -l, the listener: one client, one after another (-k), or
// with -k --exec each client on a thread and child of its own; TCP, UDP and
// Unix sockets; --allow/--deny; --ssl.
//
// Threads: RunListen runs on nc's main thread and starts the client threads.
#ifndef IPCKIT_TOOLS_NC_LISTEN_H_
#define IPCKIT_TOOLS_NC_LISTEN_H_

#include "absl/status/status.h"
#include "tools/nc/nc.h"
#include "tools/nc/session.h"
#include "tools/nc/session_log.h"

namespace ipckit::nc {

// RunListen listens as the plan says (printing netcat-openbsd's -v lines
// and --port-file) and serves clients until the session ends (without -k)
// or forever (-k). It fails with the listen, bind or accept error.
absl::Status RunListen(const Plan& p, Log& log, SessionLog* session_log);

}  // namespace ipckit::nc

#endif  // IPCKIT_TOOLS_NC_LISTEN_H_
