// echobench: drive an echo server with load and verify every echoed byte.
#include <signal.h>

#include <iostream>

#include "absl/strings/numbers.h"
#include "lib/cli/options.h"
#include "tools/echobench/echobench.h"

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  ipckit::echobench::Options o;
  std::string rate = "0";
  ipckit::cli::Parser p(ipckit::cli::ToolInfo{
      "echobench",
      {"[-u|-U] [-c N] [-m SIZE] [--depth N] [--rate R] [--duration D] ADDR"},
      "Load an echo server, verify every echoed byte, and report throughput and latency.",
      "Closed loop (default): each connection keeps --depth requests in flight.\n"
      "Open loop (--rate R): R requests/s in total, latency counted from when each was due.\n"
      "Exit status: 0 if every byte came back intact, 1 on any connect, verify or loss error,\n"
      "2 usage error.\n\n"
      "Examples:\n"
      "  echobench -c 100 -m 64 --duration 10s 127.0.0.1:7007\n"
      "  echobench -u -c 8 --rate 20000 [::1]:7007\n"
      "  echobench --connect-only 127.0.0.1:7007\n"
      "  echobench --tls --ca-file ca.pem --servername localhost -c 100 -m 1K 127.0.0.1:7443\n"
      "  echobench --tls --insecure --connect-only 127.0.0.1:7443      (handshakes/s)",
      false});
  p.Flag('u', "udp", "use UDP (one datagram per request)", &o.udp)
      .Flag('U', "unix", "ADDR is a Unix socket path", &o.unix_socket)
      .Int('c', "connections", "N", "connections (default 10)", &o.connections, 1, 1000000)
      .Size('m', "message", "SIZE", "bytes per request (default 64)", &o.message, 1 << 24)
      .Int(0, "depth", "N", "requests in flight per connection (default 1)", &o.depth, 1, 1 << 20)
      .String(0, "rate", "R", "open loop: requests per second in total", &rate)
      .Duration('d', "duration", "DURATION", "measured time (default 5s)", &o.duration)
      .Duration(0, "warmup", "DURATION", "unmeasured time first (default 0)", &o.warmup)
      .Duration(0, "timeout", "DURATION", "connect timeout; UDP reply timeout (default 5s)",
                &o.timeout)
      .Flag(0, "connect-only", "connect and close in a loop; report connects/s (with --tls: handshakes/s, -c at once)",
            &o.connect_only)
      .Flag(0, "tls", "speak TLS to the server (verified unless --insecure)", &o.tls)
      .Flag('k', "insecure", "with --tls: do not verify the server's certificate", &o.insecure)
      .String(0, "ca-file", "FILE", "with --tls: trust anchors (PEM; default: the system bundle)", &o.ca_file)
      .String(0, "servername", "NAME", "with --tls: SNI and name to verify (default: the host)",
              &o.servername)
      .Flag(0, "json", "print the report as JSON", &o.json)
      .Flag(0, "progress", "print a line per second to stderr (default: if a terminal)",
            &o.progress);
  std::vector<std::string> args = p.ParseOrExit(argc, argv);
  if (args.size() > 1) return p.UsageError(absl::InvalidArgumentError("too many arguments"));
  if (!args.empty()) o.target = args[0];
  if (!absl::SimpleAtod(rate, &o.rate)) {
    return p.UsageError(absl::InvalidArgumentError("--rate: invalid number '" + rate + "'"));
  }
  absl::StatusOr<ipckit::echobench::Plan> plan = ipckit::echobench::Validate(o);
  if (!plan.ok()) return p.UsageError(plan.status());
  absl::StatusOr<ipckit::echobench::Report> r = ipckit::echobench::Run(*plan, std::cerr);
  if (!r.ok()) return p.Fail(r.status());
  std::cout << ipckit::echobench::Format(o, *r);
  bool clean = r->connect_errors == 0 && r->verify_errors == 0 && r->lost == 0;
  return clean ? ipckit::cli::kExitOk : ipckit::cli::kExitFailure;
}
