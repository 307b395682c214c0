// sigtest: list, send, log and inspect signals. It keeps the signal
// dispositions it inherits; `log` only blocks the signals it catches.
// Each command is one function below and one row of kCommands.
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/cli/options.h"
#include "lib/cli/subcommands.h"
#include "lib/io/fd.h"
#include "tools/sigtest/demos.h"
#include "tools/sigtest/run.h"
#include "tools/sigtest/sigtest.h"

namespace {

using ipckit::cli::Parser;
using ipckit::cli::ToolInfo;

int List(int argc, char** argv) {
  bool json = false;
  Parser p(ToolInfo{"sigtest list", {"[SIG...]"}, "Print the signal table, or translate names and numbers.", "", false});
  p.Flag(0, "json", "machine-readable output", &json);
  std::vector<std::string> args = p.ParseOrExit(argc, argv);
  return p.Finish(ipckit::sigtest::List(args, json, std::cout), ipckit::cli::kUsageRules);
}

int Send(int argc, char** argv) {
  ipckit::sigtest::SendOptions o;
  std::optional<int> value;
  Parser p(ToolInfo{"sigtest send", {"-s SIG [--value N] PID|-PGID..."},
                    "Send a signal to each target (-s 0: check that each exists, as kill -0).",
                    "Exit status: 0 if every target got the signal, 1 if any failed (each failure\n"
                    "is reported, the rest still sent), 2 usage error.",
                    true});
  p.String('s', "signal", "SIG", "signal name or number, 0 to check only (default TERM)", &o.signal)
      .Int(0, "value", "N", "send with sigqueue(3) and this int payload", &value, INT32_MIN, INT32_MAX);
  o.targets = p.ParseOrExit(argc, argv);
  o.value = value;
  return p.Finish(ipckit::sigtest::Send(o, std::cerr), ipckit::cli::kUsageRules);
}

int Mask(int argc, char** argv) {
  bool json = false;
  Parser p(ToolInfo{"sigtest mask", {"PID"}, "Show a process's signal masks.", "", false});
  p.Flag(0, "json", "machine-readable output", &json);
  std::vector<std::string> args = p.ParseOrExit(argc, argv);
  int pid = 0;
  if (args.size() != 1 || !absl::SimpleAtoi(args[0], &pid) || pid <= 0) {
    return p.UsageError(absl::InvalidArgumentError("expected one PID"));
  }
  return p.Finish(ipckit::sigtest::Mask(pid, json, std::cout), ipckit::cli::kUsageRules);
}

int Log(int argc, char** argv) {
  ipckit::sigtest::LogOptions o;
  Parser p(ToolInfo{"sigtest log", {"[--catch SIGS|--all] [--count N] [--ready-file F]"},
                    "Block signals and print one line per delivered signal: monotonic and wall\n"
                    "time, signal, si_code, sender pid and uid, sigqueue value. Real-time\n"
                    "signals are queued (five sent, five printed); standard ones coalesce.",
                    "", false});
  p.String('c', "catch", "SIGS", "comma-separated signals to catch", &o.catch_list)
      .Flag('a', "all", "catch every signal that can be caught", &o.all)
      .Int('n', "count", "N", "exit after N signals", &o.count, 0, 1 << 30)
      .String(0, "ready-file", "FILE", "write our PID to FILE once the signals are blocked", &o.ready_file)
      .Int(0, "ready-fd", "N", "write a byte to fd N once the signals are blocked", &o.ready_fd, 3, 1 << 20)
      .Flag(0, "json", "one JSON object per line", &o.json);
  std::vector<std::string> args = p.ParseOrExit(argc, argv);
  if (!args.empty()) return p.UsageError(absl::InvalidArgumentError("unexpected argument '" + args[0] + "'"));
  if (o.all == !o.catch_list.empty()) {
    return p.UsageError(absl::InvalidArgumentError("give exactly one of --catch SIGS and --all"));
  }
  return p.Finish(ipckit::sigtest::Log(o, std::cout), ipckit::cli::kUsageRules);
}

// Demo parses the options of coalesce, alarm and latency (argv[0] names
// which) and runs it.
int Demo(int argc, char** argv) {
  std::string cmd = argv[0];
  bool json = false;
  int count = 5, iterations = 10000;
  absl::Duration interval = absl::Milliseconds(100);
  Parser p(ToolInfo{absl::StrCat("sigtest ", cmd), {"[OPTIONS]"}, "", "", false});
  p.Flag(0, "json", "machine-readable output", &json);
  if (cmd == "coalesce") p.Int('n', "count", "N", "signals of each kind to send (default 5)", &count, 1, 1000);
  if (cmd == "alarm") {
    p.Duration('i', "interval", "DURATION", "timer interval (default 100ms)", &interval)
        .Int('n', "count", "N", "ticks (default 5)", &count, 1, 1 << 30);
  }
  if (cmd == "latency") p.Int('n', "iterations", "N", "round trips (default 10000)", &iterations, 1, 1 << 30);
  std::vector<std::string> args = p.ParseOrExit(argc, argv);
  if (!args.empty()) return p.UsageError(absl::InvalidArgumentError("unexpected argument '" + args[0] + "'"));
  if (cmd == "coalesce") return p.Finish(ipckit::sigtest::Coalesce(count, json, std::cout), ipckit::cli::kUsageRules);
  if (cmd == "alarm") return p.Finish(ipckit::sigtest::Alarm(interval, count, json, std::cout), ipckit::cli::kUsageRules);
  return p.Finish(ipckit::sigtest::Latency(iterations, json, std::cout), ipckit::cli::kUsageRules);
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
