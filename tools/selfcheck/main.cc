// selfcheck: prove that BoringSSL, Abseil and loopback sockets work together.
#include <signal.h>

#include <iostream>

#include "lib/cli/options.h"
#include "tools/selfcheck/selfcheck.h"

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  ipckit::selfcheck::Options opts;
  ipckit::cli::Parser parser(ipckit::cli::ToolInfo{
      "selfcheck",
      {"[--bytes=SIZE] [--timeout=DURATION]"},
      "Serve TLS on a loopback port with a throwaway certificate, connect with full\n"
      "verification, and check that bytes come back intact (BoringSSL, Abseil, sockets).",
      "Example:\n  selfcheck --bytes=8M",
      false});
  parser
      .Size('b', "bytes", "SIZE", "bytes to send through and back (default 1M)", &opts.bytes,
            uint64_t{1} << 40)
      .Duration('t', "timeout", "DURATION", "limit for each socket operation (default 10s)",
                &opts.timeout);
  std::vector<std::string> args = parser.ParseOrExit(argc, argv);
  if (!args.empty()) {
    return parser.UsageError(absl::InvalidArgumentError("unexpected argument '" + args[0] + "'"));
  }
  absl::Status s = ipckit::selfcheck::Validate(opts);
  if (!s.ok()) return parser.UsageError(s);
  s = ipckit::selfcheck::Run(opts, std::cout);
  if (!s.ok()) return parser.Fail(s);
  return ipckit::cli::kExitOk;
}
