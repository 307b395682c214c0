// nc: read and write data across network connections (netcat-compatible).
#include <signal.h>

#include <iostream>

#include "lib/cli/options.h"
#include "lib/io/fd.h"
#include "tools/nc/nc.h"

namespace {

constexpr char kEpilog[] =
    R"(End of input and timers:
  stdin EOF    sent data is flushed; with -N the connection is then shut down
               for writing; with -q T nc exits T after stdin EOF even if the
               peer stays connected (-q 0: at once; negative: never).
  peer EOF     received data is flushed and stdout closed; nc exits once stdin
               has nothing more ready to send (--keep-sending: at stdin EOF).
  -w T         connecting gives up after T (exit 3); a connection idle for T
               ends normally.
  stdout gone  nc exits at once with "write stdout: Broken pipe" (exit 1).
  -u -z        a port is closed only if an ICMP refusal arrives within -w
               (default 1s).

Exit status: 0 ok (-z: some port open), 1 failure (refused, reset, ...),
2 usage error, 3 connect timed out.

Examples:
  nc -v example.org 80              connect, relay stdin/stdout
  nc -lkv -p 8080                   serve clients one after another
  nc -N host 25 < request           send, half-close, print the reply
  nc -zv 127.0.0.1 20-30,80         scan ports
  nc -l 127.0.0.1 0 --port-file p   listen on a free port, write it to p
  nc -lU /tmp/s.sock --sh-exec 'cat'  serve a child process)";

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  ipckit::nc::Options o;
  ipckit::cli::Parser p(ipckit::cli::ToolInfo{
      "nc",
      {"[-46CdFklNnrUuvz] [-I size] [-i interval] [-O size] [-p port] [-q secs]\n"
       "          [-s source] [-T tos] [-w timeout] [host] [port[s]]",
       "-l [options] [host] port"},
      "Read and write data across TCP, UDP and Unix socket connections.",
      kEpilog,
      false});
  p.Flag('4', nullptr, "use IPv4 only", &o.ipv4)
      .Flag('6', nullptr, "use IPv6 only", &o.ipv6)
      .Flag('C', "crlf", "send CRLF as line ending", &o.crlf)
      .Flag('d', "no-stdin", "do not read stdin", &o.no_stdin)
      .Flag('F', nullptr, "pass the connected socket to stdout (a Unix socket) and exit",
            &o.pass_fd)
      .Size('I', nullptr, "SIZE", "TCP receive buffer size", &o.recv_buffer, 1 << 30)
      .Duration('i', "interval", "SECS", "delay between lines sent and between -z ports",
                &o.interval)
      .Flag('k', "keep-open", "with -l, accept more clients after the first", &o.keep_listening)
      .Flag('l', "listen", "listen for an incoming connection", &o.listen)
      .Flag('N', nullptr, "shut the connection down for writing after stdin EOF",
            &o.shutdown_on_eof)
      .Flag('n', nullptr, "numeric addresses only, no DNS", &o.numeric)
      .Size('O', nullptr, "SIZE", "TCP send buffer size", &o.send_buffer, 1 << 30)
      .Int('p', "source-port", "PORT", "local port (with -l: the port to listen on)",
           &o.source_port, 0, 65535)
      .String('q', nullptr, "SECS", "exit SECS after stdin EOF (negative: never; default)",
              &o.quit_after)
      .Flag('r', nullptr, "scan ports in random order", &o.random_ports)
      .String('s', "source", "ADDR", "local address to connect from (with -l: to listen on)",
              &o.source_address)
      .String('T', "tos", "TOS", "IP type of service: 0-255, lowdelay, throughput, af11, ...",
              &o.tos)
      .Flag('U', "unixsock", "use Unix domain sockets", &o.unix_socket)
      .Flag('u', "udp", "use UDP", &o.udp)
      .Count('v', "verbose", "report connections, listening address and transfer on stderr",
             &o.verbose)
      .Duration('w', "wait", "SECS", "connect timeout and idle limit", &o.timeout)
      .Flag('z', "zero", "scan for listening daemons without sending data", &o.scan)
      .Flag(0, "send-only", "only send; drop what arrives and exit at stdin EOF", &o.send_only)
      .Flag(0, "recv-only", "only receive; never read stdin", &o.recv_only)
      .Flag(0, "no-shutdown", "never shut down the write side (cancels -N)", &o.no_shutdown)
      .Flag(0, "keep-sending", "after the peer's EOF keep sending until stdin EOF", &o.keep_sending)
      .String(0, "port-file", "FILE", "with -l, write the bound port to FILE", &o.port_file)
      .String(0, "exec", "CMD", "relay to CMD (split on spaces) instead of stdin/stdout", &o.exec)
      .String(0, "sh-exec", "CMD", "relay to /bin/sh -c CMD instead of stdin/stdout", &o.sh_exec)
      .String('e', nullptr, "CMD", "rejected: use --exec (meaning differs across netcats)",
              &o.flag_e)
      .String('c', nullptr, "CMD", "rejected: use --sh-exec (meaning differs across netcats)",
              &o.flag_c)
      .Flag('t', nullptr, "rejected: telnet negotiation is not supported", &o.flag_t)
      .String('x', nullptr, "ADDR", "rejected: proxies are not supported yet", &o.flag_x)
      .String('X', nullptr, "PROTO", "rejected: proxies are not supported yet", &o.flag_X)
      .String('P', nullptr, "USER", "rejected: proxies are not supported yet", &o.flag_P);
  o.args = p.ParseOrExit(argc, argv);
  absl::Status s = ipckit::EnsureStandardFds();
  if (!s.ok()) return p.Fail(s);
  s = ipckit::nc::Validate(o);
  if (!s.ok()) return p.UsageError(s);
  s = ipckit::nc::Run(o, std::cerr);
  if (!s.ok()) p.Fail(s);
  return ipckit::nc::ExitCode(s);
}
