// sigtest: list, send, log and inspect signals. It keeps the signal
// dispositions it inherits; `log` only blocks the signals it catches.
// Each command is a row of kCommands; its flags, plan and run are in
// commands.h (run.h for `sigtest run`).
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/cli/options.h"
#include "lib/cli/subcommands.h"
#include "lib/io/fd.h"
#include "tools/sigtest/commands.h"
#include "tools/sigtest/run.h"
#include "tools/sigtest/sigtest.h"

namespace {

using ipckit::cli::Parser;
using ipckit::cli::Command;
using ipckit::cli::kUsageRules;
using ipckit::cli::ToolInfo;
namespace sigtest = ipckit::sigtest;

int List(int argc, char** argv) {
  return Command(ToolInfo{"sigtest list", {"[SIG...]"}, "Print the signal table, or translate names and numbers.", "",
                          false},
                 sigtest::DeclareList, sigtest::ValidateList, sigtest::RunList, kUsageRules, argc, argv);
}

int Send(int argc, char** argv) {
  return Command(ToolInfo{"sigtest send", {"-s SIG [--value N] PID|-PGID..."},
                          "Send a signal to each target (-s 0: check that each exists, as kill -0).",
                          "Exit status: 0 if every target got the signal, 1 if any failed (each failure\n"
                          "is reported, the rest still sent), 2 usage error.",
                          true},
                 sigtest::DeclareSend, sigtest::ValidateSend, sigtest::RunSend, kUsageRules, argc, argv);
}

int Mask(int argc, char** argv) {
  return Command(ToolInfo{"sigtest mask", {"PID"}, "Show a process's signal masks.", "", false}, sigtest::DeclareMask,
                 sigtest::ValidateMask, sigtest::RunMask, kUsageRules, argc, argv);
}

int Log(int argc, char** argv) {
  return Command(ToolInfo{"sigtest log", {"[--catch SIGS|--all] [--count N] [--ready-file F]"},
                          "Block signals and print one line per delivered signal: monotonic and wall\n"
                          "time, signal, si_code, sender pid and uid, sigqueue value. Real-time\n"
                          "signals are queued (five sent, five printed); standard ones coalesce.",
                          "", false},
                 sigtest::DeclareLog, sigtest::ValidateLog, sigtest::RunLog, kUsageRules, argc, argv);
}

// Demo is coalesce's, alarm's and latency's main (argv[0] names which).
int Demo(int argc, char** argv) {
  return Command(ToolInfo{absl::StrCat("sigtest ", argv[0]), {"[OPTIONS]"}, "", "", false}, sigtest::DeclareDemo,
                 sigtest::ValidateDemo, sigtest::RunDemo, kUsageRules, argc, argv);
}

int Run(int argc, char** argv) {
  ipckit::sigtest::RunOptions o;
  Parser p(ipckit::sigtest::RunToolInfo());
  ipckit::sigtest::DeclareRunOptions(p, &o);
  o.command = p.ParseOrExit(argc, argv);
  absl::StatusOr<ipckit::sigtest::RunPlan> plan = ipckit::sigtest::ValidateRun(o);
  if (!plan.ok()) return p.UsageError(plan.status());
  return p.Finish(ipckit::sigtest::Run(*plan, std::cerr), ipckit::cli::kUsageRules);
}

constexpr ipckit::cli::Subcommand kCommands[] = {
    {"list", "[SIG...]", "the signal table; or a name's number / a number's name", List},
    {"send", "-s SIG [--value N] PID|-PGID...", "send a signal (sigqueue with --value; killpg for -PGID)", Send},
    {"mask", "PID", "blocked, ignored, caught and pending signals of PID", Mask},
    {"log", "[--catch SIGS|--all] [--count N] [--ready-file F|--ready-fd N]",
     "block signals and print one line per delivery", Log},
    {"run",
     "[--timeout D] [--kill-after D] [--signal SIG] [--forward=group|child]\n"
     "[--remap A=B] [--ignore SIGS] [--block SIGS] [--default SIGS]\n"
     "[--kill-orphans] [--preserve-status] [--foreground] [--pdeathsig SIG]\n[--rewrite SIG=SIG] -- CMD...",
     "run CMD as a subreaper, forward signals, report how it ended", Run},
    {"coalesce", "[--count N]", "standard signals coalesce, real-time ones queue: the numbers", Demo},
    {"alarm", "--interval D --count N", "interval timer ticks with jitter and overruns", Demo},
    {"latency", "[--iterations N]", "signal round trips between two processes: p50, p99, max", Demo},
};

}  // namespace

int main(int argc, char** argv) {
  absl::Status fds = ipckit::io::EnsureStandardFds();
  if (!fds.ok()) return 1;
  return ipckit::cli::Dispatch({"sigtest", {}, "List, send, log and inspect signals.",
                                "Exit status: 0 ok, 1 failure, 2 usage error.", true},
                               kCommands, argc, argv);
}
