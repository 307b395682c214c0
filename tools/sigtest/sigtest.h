// sigtest: a signal tester for scripts and tests. This file holds the
// subcommands that exist so far: list, send, mask and log.
//
// sigtest keeps the default signal dispositions it inherits (it only blocks
// the signals `log` is asked to catch), so what it observes is what a plain
// program would see.
#ifndef IPCKIT_TOOLS_SIGTEST_SIGTEST_H_
#define IPCKIT_TOOLS_SIGTEST_SIGTEST_H_

#include <sys/types.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace ipckit::sigtest {

// List writes the signal table (number, name, default action), or, for each
// of `args`, the name of a number ("34" -> "RTMIN") or the number of a name
// ("TERM" -> "15"), as bash's `kill -l` does.
absl::Status List(const std::vector<std::string>& args, bool json, std::ostream& out);

struct SendOptions {
  std::string signal = "TERM";       // A name or number; "0" checks only, as kill -0.
  std::optional<int> value;          // With a value: sigqueue(3).
  std::vector<std::string> targets;  // PIDs, or -PGID for a process group.
};

// Send sends the signal to each target in turn: kill(2) (or
// pidfd_send_signal) to a PID, killpg to -PGID, sigqueue with a value.
// Signal 0 sends nothing and checks that the target exists and may be
// signalled. As kill(1), it goes on past a failed target, writing one line
// per failure to `err` ("sigtest send: kill 123: No such process"), and then
// returns a Reported kUnavailable (exit 1). A bad signal or target text is
// kInvalidArgument, before anything is sent.
absl::Status Send(const SendOptions& o, std::ostream& err);

// Mask writes the blocked, ignored, caught and pending sets of `pid`.
absl::Status Mask(pid_t pid, bool json, std::ostream& out);

struct LogOptions {
  std::string catch_list;   // "TERM,USR1"; empty with all = true.
  bool all = false;         // Every signal that can be caught.
  int count = 0;            // Exit after this many; 0: never.
  std::string ready_file;   // Written once the signals are blocked.
  int ready_fd = -1;        // Gets one byte then, and is closed.
  bool json = false;
};

// Log blocks the signals and writes one line per delivered signal:
// "MONO WALL SIGNAL code=SI_QUEUE pid=P uid=U value=V".
absl::Status Log(const LogOptions& o, std::ostream& out);

}  // namespace ipckit::sigtest

#endif  // IPCKIT_TOOLS_SIGTEST_SIGTEST_H_
