// run.h is `sigtest run`: run a command as a subreaper, forward signals to
// it, enforce a timeout with TERM -> KILL escalation, set its signal
// dispositions and mask before exec, reap orphans, and report how it ended.
//
// Threads: main's thread, before any other starts: Run blocks every
// catchable signal and becomes a subreaper.
#ifndef IPCKIT_TOOLS_SIGTEST_RUN_H_
#define IPCKIT_TOOLS_SIGTEST_RUN_H_

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/cli/options.h"
#include "lib/process/exit_status.h"

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
  bool preserve_status = false;      // --preserve-status: CMD's status even on timeout.
  bool foreground = false;           // --foreground: CMD stays in our process group.
  std::string pdeathsig;             // --pdeathsig SIG: CMD gets SIG if we die.
  std::vector<std::string> rewrite;  // --rewrite "TERM=QUIT": forwarded signals rewritten.
};

// RunPlan is RunOptions checked and parsed: what Run does, with nothing
// left to parse.
struct RunPlan {
  std::vector<std::string> command;
  absl::Duration timeout = absl::InfiniteDuration();
  absl::Duration kill_after = absl::InfiniteDuration();
  int timeout_signal = 15;
  bool forward_to_group = true;     // Else to the child only.
  std::map<int, int> remaps;        // Exit code FROM -> TO.
  std::vector<int> ignore, block, default_signals;
  bool kill_orphans = false;
  absl::Duration grace = absl::Milliseconds(100);
  bool json = false;
  bool preserve_status = false;
  bool foreground = false;          // CMD in our group; signals to CMD only.
  int pdeath_signal = 0;            // 0: none.
  std::map<int, int> rewrites;      // Forwarded signal FROM -> TO.
};

// ParseRemaps parses "FROM=TO" exit-code pairs (0-255), or returns
// kInvalidArgument: "--remap: expected FROM=TO, got 'x'".
absl::StatusOr<std::map<int, int>> ParseRemaps(const std::vector<std::string>& remaps);

// ParseRewrites parses "SIG=SIG" pairs of signal names or numbers, or
// returns kInvalidArgument: "--rewrite: expected SIG=SIG, got 'x'".
absl::StatusOr<std::map<int, int>> ParseRewrites(const std::vector<std::string>& rewrites);

// RunToolInfo is `sigtest run`'s synopsis, summary and --help epilog.
cli::ToolInfo RunToolInfo();

// DeclareRunOptions declares each of `sigtest run`'s options on `p`, once,
// filling `o` as they are parsed (o->command is what the parser leaves).
void DeclareRunOptions(cli::Parser& p, RunOptions* o);

// ValidateRun returns the plan for `o`, or kInvalidArgument naming the
// option: "missing command (sigtest run [OPTIONS] -- CMD...)", "--forward:
// expected group or child, got 'x'", an unknown signal in a list. As GNU
// timeout, a --timeout or --kill-after of 0 means none.
absl::StatusOr<RunPlan> ValidateRun(const RunOptions& o);

// RunExitCode is the code sigtest exits with for a command that ended with
// `status`, as GNU timeout's: its code, or 128+N for signal N; if the
// timeout fired, 124, or 137 when the timeout signal was KILL or KILL was
// needed (--preserve-status: the command's own, always); then --remap.
int RunExitCode(const RunPlan& p, const process::ExitStatus& status, bool timed_out, bool killed);

// Run runs the command and returns cli::ExitWith the code for sigtest to
// exit with (RunExitCode; 127/126 when it cannot be run), writing one report
// line to `report`: "sigtest: exit=7", "sigtest: signal=SEGV core=false",
// "sigtest: timeout=1s signal=TERM core=false", or JSON with p.json.
// Errors are those of setting up (signalfd, the subreaper).
absl::Status Run(const RunPlan& p, std::ostream& report);

}  // namespace ipckit::sigtest

#endif  // IPCKIT_TOOLS_SIGTEST_RUN_H_
