// with_server: run a command with live servers around it.
#include <signal.h>

#include <iostream>

#include "lib/cli/options.h"
#include "lib/io/fd.h"
#include "tools/with_server/with_server.h"

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  ipckit::with_server::Options o;
  ipckit::cli::Parser p(ipckit::with_server::ToolInfo());
  ipckit::with_server::DeclareOptions(p, &o);
  o.command = p.ParseOrExit(argc, argv);
  absl::Status s = ipckit::io::EnsureStandardFds();
  if (!s.ok()) return p.Fail(s);
  absl::StatusOr<ipckit::with_server::Plan> plan = ipckit::with_server::Validate(o);
  if (!plan.ok()) return p.UsageError(plan.status());
  return p.Finish(ipckit::with_server::Run(*plan, std::cerr));
}
