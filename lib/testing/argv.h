// argv.h: a tool's command line parsed in a test as its main parses it
// (cli::Parser with the tool's options declared), running nothing, so a
// test builds a Plan from argv or checks one flag group's parsing:
//
//   Options o;
//   absl::StatusOr<std::vector<std::string>> args =
//       ParseArgv(ToolInfo(), [&](cli::Parser& p) { DeclareOptions(p, &o); }, {"-l", "0"});
//   absl::StatusOr<Plan> plan = Validate(o, *args, {});
//
// Threads: any thread.
#ifndef IPCKIT_LIB_TESTING_ARGV_H_
#define IPCKIT_LIB_TESTING_ARGV_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/cli/options.h"

namespace ipckit::testing {

// ParseArgv declares the options with `declare` on a parser for `info`,
// parses `args` (without argv[0]) and returns the non-option arguments, or
// the parser's error ("unknown option '--nope'").
absl::StatusOr<std::vector<std::string>> ParseArgv(const cli::ToolInfo& info,
                                                   const std::function<void(cli::Parser&)>& declare,
                                                   std::vector<std::string> args);

// ParseArgv for a flag group alone, declared on a tool named "t".
absl::StatusOr<std::vector<std::string>> ParseArgv(const std::function<void(cli::Parser&)>& declare,
                                                   std::vector<std::string> args);

// ToolPlan parses `args` as a tool's command line (`declare` declares its
// options on `info`'s parser, filling an Options) and returns what
// `validate` makes of the options and the arguments the parse left, or the
// parser's error. Each tool's plan test is one call:
//
//   ToolPlan<Options, Plan>(ToolInfo(), DeclareOptions, args,
//                           [](Options& o, std::vector<std::string> rest) { return Validate(o, rest, {}); });
template <typename Options, typename Plan>
absl::StatusOr<Plan> ToolPlan(const cli::ToolInfo& info, void (*declare)(cli::Parser&, Options*),
                              std::vector<std::string> args,
                              const std::function<absl::StatusOr<Plan>(Options&, std::vector<std::string>)>& validate) {
  Options o;
  absl::StatusOr<std::vector<std::string>> rest =
      ParseArgv(info, [&](cli::Parser& p) { declare(p, &o); }, std::move(args));
  if (!rest.ok()) return rest.status();
  return validate(o, *std::move(rest));
}

// CommandPlan parses `args` as the command line of a subcommand named
// `name` in the one contract (lib/cli/subcommands.h's cli::Command: flags
// with `args`, declare, validate) and returns the plan or the first error.
template <typename Flags, typename Plan>
absl::StatusOr<Plan> CommandPlan(const char* name, void (*declare)(cli::Parser&, Flags*),
                                 absl::StatusOr<Plan> (*validate)(const Flags&), std::vector<std::string> args) {
  Flags f;
  absl::StatusOr<std::vector<std::string>> rest =
      ParseArgv(cli::ToolInfo{name, {}, "", "", false}, [&](cli::Parser& p) { declare(p, &f); }, std::move(args));
  if (!rest.ok()) return rest.status();
  f.args = *rest;
  return validate(f);
}

}  // namespace ipckit::testing

#endif  // IPCKIT_LIB_TESTING_ARGV_H_
