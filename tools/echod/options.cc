// options.cc: echod's command line, declared once: the synopsis, the
// --help epilog and every option (echod.h's DeclareOptions), for main and
// for the tests that build a Plan from argv.
#include "tools/echod/echod.h"

namespace ipckit::echod {
namespace {

constexpr char kEpilog[] =
    R"TXT(Listeners: -l takes [tls:][tcp:|udp:|unix:|unix-dgram:]ADDR; ADDR is HOST:PORT,
[IPV6]:PORT or :PORT (all addresses, dual-stack), a path, or @name (abstract).
Port 0 picks a free port; each listener prints "listening on ADDR (transport)"
on stdout, in the order -l, -u, -U, --unix-dgram ("(tcp+tls)" for TLS). With LISTEN_PID/LISTEN_FDS set (socket activation), fds 3.. are served.

SIGTERM or SIGINT: stop accepting, let connections finish for --drain-timeout,
print stats to stderr and exit 0. SIGUSR1: print stats to stderr.

Memory: an idle connection holds no buffer; a connection whose client reads
slowly holds at most --buffer bytes, and echod stops reading it meanwhile.

Exit status: 0 after a signal, 1 on a failure to listen, 2 usage error.

Examples:
  echod -l 127.0.0.1:0 --port-file port
  echod -l [::]:7007 -u [::]:7007 -U /tmp/echo.sock --workers 2
  echod -l 127.0.0.1:0 --close-after 100 --rst      (a misbehaving server for tests)
  echod -l 127.0.0.1:0 -l tls:127.0.0.1:0 --cert srv.pem --key srv.key   (plain and TLS))TXT";

}  // namespace

cli::ToolInfo ToolInfo() {
  return cli::ToolInfo{
      "echod", {"[-l ADDR]... [-u ADDR]... [-U PATH]... [options]"},
      "Echo server (RFC 862) over TCP, UDP and Unix sockets.", kEpilog, false};
}

void DeclareOptions(cli::Parser& p, Options* o) {
  p.Strings('l', "listen", "ADDR", "listen on ADDR (TCP unless prefixed udp:, unix:, unix-dgram:)",
            &o->tcp)
      .Strings('u', "udp", "ADDR", "serve UDP on ADDR", &o->udp)
      .Strings('U', "unix", "PATH", "serve a Unix stream socket at PATH (or @name)", &o->unix_path)
      .Strings(0, "unix-dgram", "PATH", "serve a Unix datagram socket at PATH", &o->unix_dgram)
      .Int(0, "workers", "N", "event loops, one thread each (default: one per core)", &o->workers, 1,
           1024)
      .Int(0, "max-conns", "N", "close connections beyond N at once (counted as rejected)",
           &o->max_conns, 0, int64_t{1} << 40)
      .Duration(0, "idle-timeout", "DURATION", "close connections idle this long", &o->idle_timeout)
      .Duration(0, "drain-timeout", "DURATION", "on SIGTERM, wait this long for connections (5s)",
                &o->drain_timeout)
      .Flag(0, "splice", "echo bulk transfers through a pipe with splice(2) (less CPU, slower on loopback)",
            &o->splice)
      .String(0, "service", "NAME", "echo (default), discard, chargen or daytime", &o->service)
      .Size(0, "buffer", "SIZE", "read size and per-connection buffer bound (default 128K)", &o->buffer, 1 << 26)
      .Duration(0, "delay", "DURATION", "fault: hold each echo this long", &o->delay)
      .Size(0, "chunk", "SIZE", "fault: echo in pieces of SIZE bytes", &o->chunk, 1 << 26)
      .Size(0, "close-after", "BYTES", "fault: close after echoing BYTES", &o->close_after)
      .Flag(0, "rst", "fault: close connections with a reset (RST)", &o->rst)
      .String(0, "drop-rate", "P", "fault: drop this fraction (0-1) of UDP datagrams", &o->drop_rate)
      .Flag(0, "tls", "serve TLS on every stream listener (or prefix one: -l tls:ADDR)", &o->tls);
  o->readiness.Declare(p);
  o->tls_server.Declare(p, "TLS: ");
}

}  // namespace ipckit::echod
