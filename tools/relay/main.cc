// relay: accept clients on FROM and connect each to TO, moving bytes both
// ways; socat's forwarding job and toxiproxy's faults, on one event loop.
#include <signal.h>

#include <iostream>

#include "lib/cli/options.h"
#include "lib/io/fd.h"
#include "lib/net/listen_fds.h"
#include "tools/relay/relay.h"

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  ipckit::relay_tool::Options o;
  ipckit::cli::Parser p(ipckit::relay_tool::ToolInfo());
  ipckit::relay_tool::DeclareOptions(p, &o);
  std::vector<std::string> args = p.ParseOrExit(argc, argv);
  absl::Status s = ipckit::io::EnsureStandardFds();
  if (!s.ok()) return p.Fail(s);
  absl::StatusOr<ipckit::relay_tool::Plan> plan =
      ipckit::relay_tool::Validate(o, args, ipckit::net::ListenFds());
  // Validate opens nothing and resolves nothing: its errors are usage
  // errors (2). A FROM, TO or proxy name that does not resolve, or a
  // certificate that does not load, is Run's failure (1).
  if (!plan.ok()) return p.UsageError(plan.status());
  if (plan->insecure) std::cerr << "relay: warning: --insecure: TO's certificate is not verified" << std::endl;
  return p.Finish(ipckit::relay_tool::Run(*plan, std::cout, std::cerr));
}
