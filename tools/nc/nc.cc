// nc.cc: nc's Run, which picks the mode: listen.h, scan.h or connect.h.
// Validate is in plan.cc, sessions in session.h.
#include "tools/nc/nc.h"

#include <memory>

#include "tools/nc/connect.h"
#include "tools/nc/listen.h"
#include "tools/nc/scan.h"
#include "tools/nc/session.h"
#include "tools/nc/session_log.h"

namespace ipckit::nc {

absl::Status Run(const Plan& p, std::ostream& out) {
  const Settings& o = p.settings;
  std::unique_ptr<SessionLog> session_log;
  if (!o.output.empty() || !o.hex_dump.empty()) {
    absl::StatusOr<std::unique_ptr<SessionLog>> opened =
        SessionLog::Open(o.output, o.hex_dump, o.append_output);
    if (!opened.ok()) return opened.status();
    session_log = std::move(*opened);
  }
  Log log(out, o.verbose);
  StdioGuard stdio;
  if (o.listen) return RunListen(p, log, session_log.get());
  if (o.scan) return RunScan(p, log);
  return RunConnect(p, log, session_log.get());
}

}  // namespace ipckit::nc
