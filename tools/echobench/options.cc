// options.cc: echobench's flags, declared once (echobench.h).
#include "tools/echobench/echobench.h"

namespace ipckit::echobench {

cli::ToolInfo ToolInfo() {
  return cli::ToolInfo{
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
      false};
}

void DeclareOptions(cli::Parser& p, Options* o) {
  p.Flag('u', "udp", "use UDP (one datagram per request)", &o->udp)
      .Flag('U', "unix", "ADDR is a Unix socket path", &o->unix_socket)
      .Int('c', "connections", "N", "connections (default 10)", &o->connections, 1, 1000000)
      .Size('m', "message", "SIZE", "bytes per request (default 64)", &o->message, 1 << 24)
      .Int(0, "depth", "N", "requests in flight per connection (default 1)", &o->depth, 1, 1 << 20)
      .String(0, "rate", "R", "open loop: requests per second in total", &o->rate_text)
      .Duration('d', "duration", "DURATION", "measured time (default 5s)", &o->duration)
      .Duration(0, "warmup", "DURATION", "unmeasured time first (default 0)", &o->warmup)
      .Duration(0, "timeout", "DURATION", "connect timeout; UDP reply timeout (default 5s)", &o->timeout)
      .Flag(0, "connect-only", "connect and close in a loop; report connects/s (with --tls: handshakes/s, -c at once)",
            &o->connect_only)
      .Flag(0, "tls", "speak TLS to the server (verified unless --insecure)", &o->tls)
      .Flag(0, "json", "print the report as JSON", &o->json)
      .Flag(0, "progress", "print a line per second to stderr (default: if a terminal)", &o->progress);
  o->tls_client.Declare(p, "with --tls: ");
}

}  // namespace ipckit::echobench
