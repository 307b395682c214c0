// tlsprobe: see exactly what a TLS endpoint does.
#include <signal.h>

#include <iostream>

#include "lib/cli/options.h"
#include "lib/io/fd.h"
#include "tools/tlsprobe/tlsprobe.h"


int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  ipckit::tlsprobe::Options o;
  ipckit::cli::Parser p(ipckit::tlsprobe::ToolInfo());
  ipckit::tlsprobe::DeclareOptions(p, &o);
  o.targets = p.ParseOrExit(argc, argv);
  absl::Status s = ipckit::io::EnsureStandardFds();
  if (!s.ok()) return p.Fail(s);
  absl::StatusOr<ipckit::tlsprobe::Plan> plan = ipckit::tlsprobe::Validate(o);
  if (!plan.ok()) return p.UsageError(plan.status());
  return p.Finish(ipckit::tlsprobe::Run(*plan, std::cin, std::cout, std::cerr));
}
