// control.h is relay's control protocol (--control PATH, a Unix stream
// socket): one command per line, one answer line each, so a shell drives it
// with `echo 'fault list' | nc -U -N ctl.sock`. Answers start with "ok" or
// "error: "; data is one line of JSON.
//
//   fault add latency 100ms jitter=20ms dir=down   -> ok latency
//   fault rm latency                               -> ok
//   fault list                                     -> [{"name":"latency",...}]
//   fault clear                                    -> ok
//   down [close]   refuse new clients (reset, or close them)  -> ok
//   stall          stop accepting (the backlog fills)         -> ok
//   up             serve new clients again                    -> ok
//   stats          -> {"accepted":3,...}
//   help           -> ok commands: ...
//
// Threads: commands are parsed and answered on the control socket's
// thread (main's); they change the FaultTable, which is thread-safe.
#ifndef IPCKIT_TOOLS_RELAY_CONTROL_H_
#define IPCKIT_TOOLS_RELAY_CONTROL_H_

#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "tools/relay/fault_table.h"

namespace ipckit::relay_tool {

// ExecuteControl runs one command line against `table` and returns the
// answer line (without the newline). `stats` gives the stats JSON.
std::string ExecuteControl(absl::string_view line, FaultTable& table, const std::function<std::string()>& stats);

}  // namespace ipckit::relay_tool

#endif  // IPCKIT_TOOLS_RELAY_CONTROL_H_
