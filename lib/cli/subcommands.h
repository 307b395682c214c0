// subcommands.h dispatches `tool COMMAND [ARGS]` through a table, as
// BoringSSL's tool/ does with kTools[]: adding a command is one entry (its
// name, synopsis, summary and main) and one function. The top-level --help
// lists the table; --version, a missing command and an unknown one are
// handled here. Example (sigtest):
//
//   int List(int argc, char** argv);   // argv[0] is "list"
//   constexpr ipckit::cli::Subcommand kCommands[] = {
//       {"list", "[SIG...]", "the signal table; or a name's number / a number's name", List},
//       {"mask", "PID", "blocked, ignored, caught and pending signals of PID", Mask},
//   };
//   int main(int argc, char** argv) {
//     return ipckit::cli::Dispatch({"sigtest", {}, "List, send, log and inspect signals.", "", true},
//                                  kCommands, argc, argv);
//   }
//
// Threads: main's thread, before any other starts (parsing uses getopt_long's
// globals).
#ifndef IPCKIT_LIB_CLI_SUBCOMMANDS_H_
#define IPCKIT_LIB_CLI_SUBCOMMANDS_H_

#include <iostream>
#include <string>

#include "absl/types/span.h"
#include "absl/status/statusor.h"
#include "lib/cli/exit_code.h"
#include "lib/cli/options.h"

namespace ipckit::cli {

struct Subcommand {
  const char* name;
  // synopsis follows the name in the command list; '\n' starts a
  // continuation line, indented under the name's end.
  const char* synopsis;
  const char* summary;  // One line.
  // main runs the command with argv[0] = name; it returns the exit code.
  int (*main)(int argc, char** argv);
};

// CommandsHelp returns the command list for --help: "Commands:" then, per
// command, "  NAME SYNOPSIS" with the summary at column 20 (on the next line
// when the synopsis reaches it).
std::string CommandsHelp(absl::Span<const Subcommand> table);

// Dispatch runs the command named by argv[1] with argv shifted by one and
// returns its exit code. With no command or an unknown one it prints "tool:
// missing command" / "tool: unknown command 'x'" and returns kExitUsage;
// --help prints `tool`'s help with CommandsHelp before its epilog, and
// --version the version, both exiting 0.
int Dispatch(const ToolInfo& tool, absl::Span<const Subcommand> table, int argc, char** argv);

// Streams are where a command's run writes: its report and its warnings.
struct Streams {
  std::ostream& out;
  std::ostream& err;
};

// Command is a subcommand's main in the one tool contract: the flags
// declared on a Parser for `info` (`declare`; Flags has `args`, what the
// parse leaves), the plan validated (a usage error exits 2 before anything
// runs), the plan run on std::cout and std::cerr, and its status mapped by
// Parser::Finish with `rules`.
template <typename Flags, typename Plan>
int Command(const ToolInfo& info, void (*declare)(Parser&, Flags*), absl::StatusOr<Plan> (*validate)(const Flags&),
            absl::Status (*run)(const Plan&, Streams), absl::Span<const ExitRule> rules, int argc, char** argv) {
  Parser p(info);
  Flags flags;
  declare(p, &flags);
  flags.args = p.ParseOrExit(argc, argv);
  absl::StatusOr<Plan> plan = validate(flags);
  if (!plan.ok()) return p.UsageError(plan.status());
  absl::Status status = run(*plan, Streams{std::cout, std::cerr});
  std::cout.flush();
  return p.Finish(status, rules);
}

}  // namespace ipckit::cli

#endif  // IPCKIT_LIB_CLI_SUBCOMMANDS_H_
