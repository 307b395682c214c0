// run.h is `sigtest run`: run a command as a subreaper, forward signals to
// it, enforce a timeout with TERM -> KILL escalation, set its signal
// dispositions and mask before exec, reap orphans, and report how it ended.
#ifndef IPCKIT_TOOLS_SIGTEST_RUN_H_
#define IPCKIT_TOOLS_SIGTEST_RUN_H_

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ipckit::sigtest {

inline constexpr int kExitTimedOut = 124;      // As coreutils timeout.
inline constexpr int kExitNotExecutable = 126;
inline constexpr int kExitNotFound = 127;

struct RunOptions {
  std::vector<std::string> command;
  absl::Duration timeout = absl::InfiniteDuration();
  absl::Duration kill_after = absl::InfiniteDuration();  // After the timeout signal.
  std::string signal = "TERM";                            // Sent at the timeout.
  std::string forward = "group";                          // group or child.
  std::vector<std::string> remap;                         // "143=0".
  std::string ignore, block, default_;                    // Comma-separated signals.
  bool kill_orphans = false;
  // After CMD exits, how long the rest of its descendants get to exit (they
  // were usually sent the same signal) before any left are reported.
  absl::Duration grace = absl::Milliseconds(100);
  bool json = false;
};

// ParseRemaps parses "FROM=TO" exit-code pairs (0-255), or returns
// kInvalidArgument: "--remap: expected FROM=TO, got 'x'".
absl::StatusOr<std::map<int, int>> ParseRemaps(const std::vector<std::string>& remaps);

// Run runs the command and returns the exit code for sigtest to exit with
// (the command's code, 128+n for a signal, 124 on timeout, 127/126 when it
// cannot be run, after --remap), writing one report line to `report`:
// "sigtest: exit=7", "sigtest: signal=SEGV core=false",
// "sigtest: timeout=1s signal=TERM". Usage errors are kInvalidArgument.
absl::StatusOr<int> Run(const RunOptions& o, std::ostream& report);

}  // namespace ipckit::sigtest

#endif  // IPCKIT_TOOLS_SIGTEST_RUN_H_
