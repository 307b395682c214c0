// sigtest: a signal tester for scripts and tests. This file holds the work
// of list, send, mask and log, on parsed values; commands.h holds their
// flags, plans and runs, run.h `sigtest run`, demos.h the measurements.
//
// sigtest keeps the default signal dispositions it inherits (it only blocks
// the signals `log` is asked to catch), so what it observes is what a plain
// program would see.
//
// Threads: List, Send and Mask on any thread; Log on main's thread, before
// any other starts (it blocks the signals it catches).
#ifndef IPCKIT_TOOLS_SIGTEST_SIGTEST_H_
#define IPCKIT_TOOLS_SIGTEST_SIGTEST_H_

#include <signal.h>
#include <sys/types.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace ipckit::sigtest {

// SignalQuery is one of list's arguments, parsed: the signal, and whether
// it was given by number ("34", answered with its name) or by name ("TERM",
// answered with its number).
struct SignalQuery {
  int signal = 0;
  bool by_number = false;
};

// List writes the signal table (number, name, default action), or, for each
// of `queries`, the name of a number ("34" -> "RTMIN") or the number of a
// name ("TERM" -> "15"), as bash's `kill -l` does.
absl::Status List(const std::vector<SignalQuery>& queries, bool json, std::ostream& out);

struct SendPlan {
  int signal = SIGTERM;      // 0 checks only, as kill -0.
  std::optional<int> value;  // With a value: sigqueue(3).
  std::vector<int> targets;  // PIDs, or -PGID for a process group.
};

// Send sends the signal to each target in turn: kill(2) (or
// pidfd_send_signal) to a PID, killpg to -PGID, sigqueue with a value.
// Signal 0 sends nothing and checks that the target exists and may be
// signalled. As kill(1), it goes on past a failed target, writing one line
// per failure to `err` ("sigtest send: kill 123: No such process"), and then
// returns a Reported kUnavailable (exit 1).
absl::Status Send(const SendPlan& o, std::ostream& err);

// Mask writes the blocked, ignored, caught and pending sets of `pid`.
absl::Status Mask(pid_t pid, bool json, std::ostream& out);

struct LogPlan {
  std::vector<int> signals;  // To catch (none of them KILL or STOP).
  int count = 0;             // Exit after this many; 0: never.
  std::string ready_file;    // Written once the signals are blocked.
  int ready_fd = -1;         // Gets one byte then, and is closed.
  bool json = false;
};

// Log blocks the signals and writes one line per delivered signal:
// "MONO WALL SIGNAL code=SI_QUEUE pid=P uid=U value=V".
absl::Status Log(const LogPlan& o, std::ostream& out);

}  // namespace ipckit::sigtest

#endif  // IPCKIT_TOOLS_SIGTEST_SIGTEST_H_
