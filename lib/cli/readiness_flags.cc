#include "lib/cli/readiness_flags.h"

namespace ipckit::cli {

void ReadinessFlags::Declare(Parser& p) {
  p.String(0, "port-file", "FILE", "write each listener's port (or path) to FILE, one a line, once all listen",
           &plan_.port_file)
      .Int(0, "ready-fd", "N", "write one byte to fd N (3 or more) once all listen, then close it", &plan_.ready_fd, 3,
           1 << 20)
      .Flag(0, "json", "print stats (SIGUSR1, exit) as JSON", &plan_.json);
}

}  // namespace ipckit::cli
