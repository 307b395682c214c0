// echod: an echo server (RFC 862, plus discard, chargen, daytime) for TCP,
// UDP and Unix sockets.
#include <signal.h>

#include <iostream>

#include "lib/cli/options.h"
#include "lib/io/fd.h"
#include "lib/net/listen_fds.h"
#include "tools/echod/echod.h"

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  ipckit::echod::Options o;
  ipckit::cli::Parser p(ipckit::echod::ToolInfo());
  ipckit::echod::DeclareOptions(p, &o);
  std::vector<std::string> args = p.ParseOrExit(argc, argv);
  absl::Status s = ipckit::io::EnsureStandardFds();
  if (!s.ok()) return p.Fail(s);
  absl::StatusOr<ipckit::echod::Plan> plan = ipckit::echod::Validate(o, args, ipckit::net::ListenFds());
  if (!plan.ok()) return p.UsageError(plan.status());
  return p.Finish(ipckit::echod::Run(*plan, std::cout, std::cerr));
}
