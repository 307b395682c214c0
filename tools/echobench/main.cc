// echobench: drive an echo server with load and verify every echoed byte.
#include <signal.h>

#include <iostream>

#include "lib/cli/options.h"
#include "tools/echobench/echobench.h"

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  ipckit::echobench::Options o;
  ipckit::cli::Parser p(ipckit::echobench::ToolInfo());
  ipckit::echobench::DeclareOptions(p, &o);
  std::vector<std::string> args = p.ParseOrExit(argc, argv);
  if (args.size() > 1) return p.UsageError(absl::InvalidArgumentError("too many arguments"));
  if (!args.empty()) o.target = args[0];
  absl::StatusOr<ipckit::echobench::Plan> plan = ipckit::echobench::Validate(o);
  if (!plan.ok()) return p.UsageError(plan.status());
  return p.Finish(ipckit::echobench::Run(*plan, std::cout, std::cerr));
}
