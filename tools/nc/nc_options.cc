#include "tools/nc/nc_options.h"

namespace ipckit::nc {
namespace {

constexpr char kEpilog[] =
    R"(End of input and timers:
  stdin EOF    sent data is flushed; with -N the connection is then shut down
               for writing; -q T implies -N, and nc exits T after stdin EOF
               even if the peer stays connected (-q 0: at once; negative:
               never, and no -N).
  peer EOF     received data is flushed and stdout closed; nc exits once stdin
               has nothing more ready to send (--keep-sending: at stdin EOF).
  -w T         connecting gives up after T (exit 3); a connection idle for T
               ends normally.
  stdout gone  nc exits at once with "write stdout: Broken pipe" (exit 1).
  -u -z        a port is closed only if an ICMP refusal arrives within -w
               (default 1s).

TLS: --ssl verifies the server's chain and name (DNS, or the IP address for
an IP target); -N sends close_notify and still reads the reply.

-v prints what netcat-openbsd prints ("Listening on HOST PORT", "Connection
received on HOST PORT", "Connection to HOST PORT port [tcp/SERVICE]
succeeded!"); -lk with --exec or --sh-exec serves clients at once, each with
its own child.

Exit status: 0 ok (-z: some port open), 1 failure (refused, reset, TLS
alert, ...), 2 usage error, 3 connect timed out, 4 TLS certificate
verification or --ssl-pin failed.

Examples:
  nc -v example.org 80              connect, relay stdin/stdout
  nc -lkv -p 8080                   serve clients one after another
  nc -N host 25 < request           send, half-close, print the reply
  nc -zv 127.0.0.1 20-30 80         scan ports (also 20-30,80)
  nc -l 127.0.0.1 0 --port-file p   listen on a free port, write it to p
  nc -lU /tmp/s.sock --sh-exec 'cat'  serve a child process
  nc --ssl -N example.org 443 < req  HTTPS request, verified
  nc -x proxy:3128 -X connect host 22  through an HTTP proxy)";

}  // namespace

cli::ToolInfo ToolInfo() {
  return cli::ToolInfo{
      "nc",
      {"[-46CdFklNnrUuvz] [-I size] [-i interval] [-O size] [-p port] [-q secs]\n"
       "          [-s source] [-T tos] [-w timeout] [host] [port[s]]",
       "-l [options] [host] port"},
      "Read and write data across TCP, UDP and Unix socket connections.",
      kEpilog,
      false};
}

// DeclareOptions runs over 80 lines because it is where each of nc's ~50
// options is declared, once, with its help text: adding one is one line.
void DeclareOptions(cli::Parser& p, Options* o) {
  p.Flag('4', "ipv4", "use IPv4 only", &o->ipv4)
      .Flag('6', "ipv6", "use IPv6 only", &o->ipv6)
      .Flag('C', "crlf", "send CRLF as line ending", &o->crlf)
      .Flag('d', "no-stdin", "do not read stdin", &o->no_stdin)
      .Flag('F', nullptr, "pass the connected socket to stdout (a Unix socket) and exit",
            &o->pass_fd)
      .Size('I', nullptr, "SIZE", "socket receive buffer size (SO_RCVBUF; TCP or UDP)", &o->recv_buffer, 1 << 30)
      .Duration('i', "interval", "SECS", "delay between lines sent and between -z ports",
                &o->interval)
      .Flag('k', "keep-open", "with -l, accept more clients after the first", &o->keep_listening)
      .Flag('l', "listen", "listen for an incoming connection", &o->listen)
      .Flag('N', nullptr, "shut the connection down for writing after stdin EOF",
            &o->shutdown_on_eof)
      .Flag('n', "nodns", "numeric addresses only, no DNS", &o->numeric)
      .Size('O', nullptr, "SIZE", "socket send buffer size (SO_SNDBUF)", &o->send_buffer, 1 << 30)
      .Int('p', "source-port", "PORT", "local port (with -l: the port to listen on)",
           &o->source_port, 0, 65535)
      .String('q', nullptr, "SECS", "after stdin EOF shut down writing (as -N) and exit SECS later (negative: never, the default)",
              &o->quit_after)
      .Flag('r', nullptr, "scan ports in random order", &o->random_ports)
      .String('s', "source", "ADDR", "local address to connect from (with -l: to listen on)",
              &o->source_address)
      .String('T', "tos", "TOS", "IP type of service: 0-255, lowdelay, throughput, af11, ...",
              &o->tos)
      .Flag('U', "unixsock", "use Unix domain sockets", &o->unix_socket)
      .Flag('u', "udp", "use UDP", &o->udp)
      .Count('v', "verbose",
             "report listening, connections and failures on stderr as netcat-openbsd does "
             "(-vv: also byte counts and children)",
             &o->verbose)
      .Duration('w', "wait", "SECS", "connect timeout and idle limit", &o->timeout)
      .Flag('z', "zero", "scan for listening daemons without sending data", &o->scan)
      .Flag(0, "send-only", "only send; drop what arrives and exit at stdin EOF", &o->send_only)
      .Flag(0, "recv-only", "only receive; never read stdin", &o->recv_only)
      .Flag(0, "no-shutdown", "never shut down the write side (cancels -N)", &o->no_shutdown)
      .Flag(0, "keep-sending", "after the peer's EOF keep sending until stdin EOF", &o->keep_sending)
      .String(0, "port-file", "FILE", "with -l, write the bound port to FILE", &o->port_file)
      .String(0, "exec", "CMD", "relay to CMD (split on spaces) instead of stdin/stdout", &o->exec)
      .String(0, "sh-exec", "CMD", "relay to /bin/sh -c CMD instead of stdin/stdout", &o->sh_exec)
      .String('e', nullptr, "CMD", "rejected: use --exec (meaning differs across netcats)",
              &o->flag_e)
      .String('c', nullptr, "CMD", "rejected: use --sh-exec (meaning differs across netcats)",
              &o->flag_c)
      .Flag('t', nullptr, "rejected: telnet negotiation is not supported", &o->flag_t)
      .String('x', nullptr, "HOST[:PORT]", "connect through this proxy, SOCKS5 unless -X (port: 1080 SOCKS5, 3128 HTTP)",
              &o->proxy)
      .String('X', nullptr, "PROTO", "proxy protocol: 5 (SOCKS5, default) or connect (HTTP)",
              &o->proxy_protocol)
      .String('P', nullptr, "USER", "proxy user (password: $NC_PROXY_PASSWORD or asked on the tty)",
              &o->proxy_user)
      .Duration(0, "delay", "SECS", "same as -i (ncat's name)", &o->interval)
      .Duration(0, "idle-timeout", "SECS",
                "end the connection after SECS without traffic (exit 1, as ncat)", &o->idle_timeout)
      .Duration(0, "wait-for", "SECS",
                "retry connecting (backing off to 0.5s) until the port opens or SECS pass (then exit 3); "
                "with -z: wait, then close",
                &o->wait_for)
      .Int(0, "max-conns", "N", "with -lk --exec/--sh-exec: at most N clients at once (default 100)",
           &o->max_conns, 1, 100000)
      .Strings(0, "allow", "HOSTS", "listeners: serve only these clients (IP, CIDR, name; commas)",
               &o->allow)
      .Strings(0, "deny", "HOSTS", "listeners: refuse these clients (IP, CIDR, name; commas)",
               &o->deny)
      .String(0, "output", "FILE", "log the session's bytes, both ways, to FILE", &o->output)
      .String(0, "hex-dump", "FILE", "log the session's bytes as a hex dump to FILE", &o->hex_dump)
      .Flag(0, "append-output", "append to --output and --hex-dump files instead of truncating",
            &o->append_output)
      .Flag(0, "ssl", "use TLS (client: verify the server against the system bundle)", &o->ssl)
      .String(0, "ssl-ciphers", "LIST", "TLS 1.2-and-below suites (BoringSSL syntax)", &o->ssl_ciphers)
      .Flag(0, "ssl-verify", "with --ssl: verify the server (ncat's flag; nc always does unless --insecure)",
            &o->ssl_verify);
  o->ncat_proxy.Declare(p);
  o->tls_server.Declare(p, "TLS: ");
  o->tls_client.Declare(p, "TLS client: ");
}

}  // namespace ipckit::nc
