// options.cc: relay's command line, declared once: the synopsis, the
// --help epilog and every option (relay.h's DeclareOptions), for main and
// for the tests that build a Plan from argv.
#include "tools/relay/relay.h"

namespace ipckit::relay_tool {
namespace {

constexpr char kEpilog[] =
    R"TXT(FROM (where clients come from):
  [tcp:]HOST:PORT     TCP listener; HOST may be empty (every address, dual-stack), PORT 0 picks one
  tls:HOST:PORT       TLS listener (--cert, --key; --client-ca requires client certificates)
  udp:HOST:PORT       UDP: a session per client address (to a udp: TO), ended by --idle-timeout (60s)
  unix:PATH           Unix stream socket (unix:@NAME: abstract)
  unix-dgram:PATH     Unix datagram socket: a session per client path (clients must bind one)
  listen-fds          sockets handed over by socket activation (LISTEN_FDS; --tls for TLS)
  stdio (or -)        one session on stdin and stdout, then exit (no faults)
TO (what each client is connected to):
  [tcp:]HOST:PORT     TCP (HOST resolved once, at start; each address tried in turn)
  tls:HOST:PORT       TLS client, verifying HOST (or --servername) against the system's CAs or --ca-file
  udp:HOST:PORT       UDP (with a udp: or unix-dgram: FROM)
  unix-dgram:PATH     Unix datagrams (with a udp: or unix-dgram: FROM)
  unix:PATH           Unix stream socket (unix:@NAME: abstract)
  exec:PROGRAM ARGS   a program per client, on its stdin and stdout
  sh:COMMAND          a shell command per client (/bin/sh -c COMMAND)

Half-closes pass through both ways: a client's EOF reaches TO and TO's reply
still comes back. A slow side stops the other being read (--buffer bounds each
direction). "listening on ADDR (tcp)" goes to stdout once clients can connect.

Faults (--fault, and `fault add` on --control), toxiproxy's set; each acts on
dir=down (TO -> client, the default), up or both, on a fraction p= of clients:
  latency 100ms [jitter=20ms]   bandwidth 1M (bytes/s)   slicer 64 [delay=10ms]
  limit-data 1000 [close=reset] (close after; FIN, or RST)   timeout 2s (deliver nothing; 0: never close)
  reset-peer [500ms] (RST)   slow-close 1s (delay the EOF)
udp: and unix-dgram: sessions take, per datagram, as tc netem:
  latency 100ms [jitter=20ms]   bandwidth 1M   loss 0.1 (or 10%)   duplicate 0.05   reorder 0.25
--down resets new clients, --stall leaves them in the backlog. The control
socket takes one command a line: fault add|rm|list|clear, down [close], stall,
up, stats, help (try: echo help | nc -UN ctl.sock).

--api HOST:PORT serves toxiproxy 2.x's HTTP API (GET /version, /proxies,
POST /populate, /proxies/NAME/toxics, /reset; toxiproxy's JSON and status
codes): each proxy created there is a relay listener with its own toxics.
--config FILE creates proxies from toxiproxy-server's -config JSON array.

SIGTERM or SIGINT: stop accepting, let sessions finish for --drain-timeout,
print stats to stderr and exit 0. SIGUSR1: print stats to stderr.

Exit status: 0 after a signal, 1 on a failure to listen, 2 usage error.

Examples:
  relay :2375 unix:/var/run/docker.sock                 (docker's socket over TCP)
  relay tls::443 127.0.0.1:8080 --cert c.pem --key k.pem  (TLS terminator)
  relay 127.0.0.1:8443 tls:example.org:443              (TLS originator)
  relay 127.0.0.1:0 127.0.0.1:5432 --fault 'latency 100ms jitter=10ms' --fault 'bandwidth 64K'
  relay 127.0.0.1:0 127.0.0.1:8080 --fault 'limit-data 1000' --control ctl.sock
  relay --api 127.0.0.1:8474 --config toxiproxy.json    (toxiproxy-server's job))TXT";

}  // namespace

cli::ToolInfo ToolInfo() {
  return cli::ToolInfo{
      "relay", {"[options] FROM TO", "[options] --api HOST:PORT [--config FILE] [FROM TO]"},
      "Accept clients on FROM and relay each to TO, with faults for tests.", kEpilog, false};
}

void DeclareOptions(cli::Parser& p, Options* o) {
  p.Int(0, "workers", "N", "event loops, one thread each (default 1)", &o->workers, 1, 1024)
      .Int(0, "max-conns", "N", "close clients beyond N at once (counted as rejected)", &o->max_conns, 0,
           int64_t{1} << 40)
      .Duration(0, "idle-timeout", "DURATION", "close sessions idle this long", &o->idle_timeout)
      .Duration(0, "connect-timeout", "DURATION", "give up opening TO (and client TLS handshakes) after this (10s)",
                &o->connect_timeout)
      .Duration(0, "drain-timeout", "DURATION", "on SIGTERM, wait this long for sessions (5s)", &o->drain_timeout)
      .Flag(0, "nagle", "keep Nagle's algorithm on forwarded TCP sockets (default: TCP_NODELAY both ways, as haproxy)",
            &o->nagle)
      .Flag(0, "no-splice", "copy every byte through relay (default: a bulk plain stream moves with splice(2))",
            &o->no_splice)
      .String(0, "on-connect-failure", "HOW", "when TO cannot be opened: reset (default) or close the client",
              &o->on_connect_failure)
      .Size(0, "buffer", "SIZE", "bytes held per direction before reading stops (256K)", &o->buffer, 1 << 26)
      .Size(0, "latency-buffer", "SIZE",
            "under a latency fault, bytes a direction may hold while they wait (32M): a latency delays, "
            "it does not throttle",
            &o->latency_buffer, uint64_t{1} << 32)
      .Strings(0, "fault", "FAULT", "add a fault at start (see below); may be repeated", &o->faults)
      .Flag(0, "down", "start refusing new clients (reset them)", &o->down)
      .Flag(0, "stall", "start with accepting stopped (the backlog fills)", &o->stall)
      .String(0, "control", "PATH", "serve the control protocol on this Unix socket", &o->control)
      .String(0, "api", "HOST:PORT",
              "serve toxiproxy 2.x's HTTP API here (toxiproxy's is localhost:8474); FROM and TO may then be "
              "left out",
              &o->api)
      .String(0, "config", "FILE", "create the API's proxies from this JSON array (toxiproxy-server -config)",
              &o->config)
      .Count('v', "verbose", "log each session (from, to, how it ended) to stderr", &o->verbose)
      .Flag(0, "dump", "hex-dump each direction's data to stderr, as socat -x -v ('>' to TO, '<' back)", &o->dump)
      .Flag(0, "tls", "FROM listen-fds: speak TLS on the inherited sockets", &o->tls);
  o->readiness.Declare(p);
  o->tls_server.Declare(p, "tls: FROM: ");
  o->tls_client.Declare(p, "tls: TO: ");
  o->proxy.Declare(p);
}

}  // namespace ipckit::relay_tool
