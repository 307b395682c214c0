// nc: read and write data across network connections (netcat-compatible).
#include <signal.h>

#include <iostream>

#include "lib/cli/options.h"
#include "lib/io/fd.h"
#include "tools/nc/nc.h"
#include "tools/nc/nc_options.h"
#include "tools/nc/report.h"

// main parses nc's options (nc_options.h) into Options, validates them into
// a Plan and runs it.
int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  ipckit::nc::Options o;
  ipckit::cli::Parser p(ipckit::nc::ToolInfo());
  ipckit::nc::DeclareOptions(p, &o);
  o.args = p.ParseOrExit(argc, argv);
  absl::Status s = ipckit::io::EnsureStandardFds();
  if (!s.ok()) return p.Fail(s);
  absl::StatusOr<ipckit::nc::Plan> plan = ipckit::nc::Validate(o);
  if (!plan.ok()) return p.UsageError(plan.status());
  s = ipckit::nc::Run(*plan, std::cerr);
  return p.Finish(s, ipckit::nc::kExitRules);
}
