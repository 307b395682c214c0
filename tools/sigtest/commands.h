// commands.h: sigtest's list, send, mask, log and the measurements
// (coalesce, alarm, latency) in the one tool contract: each command's flags
// declared once (DeclareX; Flags has `args`, what the parse leaves), a pure
// ValidateX that parses every signal name or number, PID and target into
// its Plan (a usage error is kInvalidArgument, exit 2, before any signal is
// sent or blocked), and RunX on the plan (sigtest.h and demos.h do the
// work). main.cc is the command table; `sigtest run` is run.h's.
//
// Threads: main's (parsing uses getopt_long's globals; log and the
// measurements block signals for the process).
#ifndef IPCKIT_TOOLS_SIGTEST_COMMANDS_H_
#define IPCKIT_TOOLS_SIGTEST_COMMANDS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/cli/options.h"
#include "lib/cli/subcommands.h"
#include "tools/sigtest/sigtest.h"

namespace ipckit::sigtest {

struct ListPlan {
  bool json = false;
  std::vector<SignalQuery> queries;  // Empty: the table.
};
struct ListFlags {
  bool json = false;
  std::vector<std::string> args;  // SIG...
};
void DeclareList(cli::Parser& p, ListFlags* f);
absl::StatusOr<ListPlan> ValidateList(const ListFlags& f);
absl::Status RunList(const ListPlan& p, cli::Streams s);

struct SendFlags {
  std::string signal = "TERM";  // -s: a name or number; "0" checks only.
  std::optional<int> value;     // --value
  std::vector<std::string> args;  // PID or -PGID...
};
void DeclareSend(cli::Parser& p, SendFlags* f);
// ValidateSend: "expected PID or -PGID", "invalid target 'x' (PID or
// -PGID)", "--value needs a PID, not a process group", a bad signal.
absl::StatusOr<SendPlan> ValidateSend(const SendFlags& f);
absl::Status RunSend(const SendPlan& p, cli::Streams s);

struct MaskPlan {
  pid_t pid = 0;
  bool json = false;
};
struct MaskFlags {
  bool json = false;
  std::vector<std::string> args;  // PID
};
void DeclareMask(cli::Parser& p, MaskFlags* f);
absl::StatusOr<MaskPlan> ValidateMask(const MaskFlags& f);
absl::Status RunMask(const MaskPlan& p, cli::Streams s);

struct LogFlags {
  LogPlan plan;           // All but the signals.
  std::string catch_list;  // --catch TERM,USR1
  bool all = false;        // --all
  std::vector<std::string> args;
};
void DeclareLog(cli::Parser& p, LogFlags* f);
// ValidateLog: "give exactly one of --catch SIGS and --all", "KILL cannot
// be caught", a bad signal, "unexpected argument 'x'".
absl::StatusOr<LogPlan> ValidateLog(const LogFlags& f);
absl::Status RunLog(const LogPlan& p, cli::Streams s);

// The measurements: which one the parser's name says.
struct DemoPlan {
  std::string demo;  // coalesce, alarm or latency.
  bool json = false;
  int count = 5, iterations = 10000;
  absl::Duration interval = absl::Milliseconds(100);
};
struct DemoFlags {
  DemoPlan plan;
  std::vector<std::string> args;
};
void DeclareDemo(cli::Parser& p, DemoFlags* f);
absl::StatusOr<DemoPlan> ValidateDemo(const DemoFlags& f);
absl::Status RunDemo(const DemoPlan& p, cli::Streams s);

}  // namespace ipckit::sigtest

#endif  // IPCKIT_TOOLS_SIGTEST_COMMANDS_H_
