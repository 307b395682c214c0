#include "lib/testing/argv.h"

#include <utility>

namespace ipckit::testing {

absl::StatusOr<std::vector<std::string>> ParseArgv(const cli::ToolInfo& info,
                                                   const std::function<void(cli::Parser&)>& declare,
                                                   std::vector<std::string> args) {
  cli::Parser p(info);
  declare(p);
  args.insert(args.begin(), info.name);
  absl::StatusOr<cli::ParseResult> r = p.Parse(args);
  if (!r.ok()) return r.status();
  return std::move(r->args);
}

absl::StatusOr<std::vector<std::string>> ParseArgv(const std::function<void(cli::Parser&)>& declare,
                                                   std::vector<std::string> args) {
  cli::ToolInfo info;
  info.name = "t";
  return ParseArgv(info, declare, std::move(args));
}

}  // namespace ipckit::testing
