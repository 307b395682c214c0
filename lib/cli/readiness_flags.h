// readiness_flags.h: the readiness and output flag group of ipckit's
// servers (echod, relay), declared once with one help text:
//
//   --port-file FILE  each listener's port (or path), one a line, written
//                     atomically once all listen (lib/server's Announce)
//   --ready-fd N      "1" written to fd N (3 or more), then closed
//   --json            stats (SIGUSR1, exit) as JSON
//
// Threads: used from main's thread, as Parser is.
#ifndef IPCKIT_LIB_CLI_READINESS_FLAGS_H_
#define IPCKIT_LIB_CLI_READINESS_FLAGS_H_

#include <string>

#include "lib/cli/options.h"

namespace ipckit::cli {

// ReadinessPlan is the group's flags, parsed.
struct ReadinessPlan {
  std::string port_file;  // "": none.
  int ready_fd = -1;      // -1: none.
  bool json = false;      // Stats as JSON.
};

class ReadinessFlags {
 public:
  // Declare adds --port-file, --ready-fd and --json to `p`.
  void Declare(Parser& p);
  // plan returns the flags' values (the parser has checked them: --ready-fd
  // is 3 or more).
  const ReadinessPlan& plan() const { return plan_; }

 private:
  ReadinessPlan plan_;
};

}  // namespace ipckit::cli

#endif  // IPCKIT_LIB_CLI_READINESS_FLAGS_H_
