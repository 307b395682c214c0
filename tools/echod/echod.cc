#include "tools/echod/echod.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/io/fd.h"
#include "lib/io/wait.h"
#include "lib/net/listening_line.h"
#include "lib/server/lifecycle.h"
#include "lib/signal/signal_source.h"

namespace ipckit::echod {
namespace {

absl::Status Usage(absl::string_view m) { return absl::InvalidArgumentError(m); }

// ReadinessOf returns what echod announces for its listeners: a line each,
// and in the port file a port (TCP, UDP) or a path.
server::Readiness ReadinessOf(const std::vector<Bound>& bound, const std::string& port_file, int ready_fd) {
  server::Readiness r;
  for (const Bound& b : bound) {
    r.lines.push_back(net::FormatListeningLine(b.address, absl::StrCat(TransportName(b.transport), b.tls ? "+tls" : "")));
    r.ports.push_back(b.transport == Transport::kTcp || b.transport == Transport::kUdp ? absl::StrCat(b.port)
                                                                                       : b.address);
  }
  r.port_file = port_file;
  r.ready_fd = ready_fd;
  return r;
}

}  // namespace

absl::StatusOr<Plan> Validate(const Options& o, const std::vector<std::string>& args,
                              const std::vector<int>& listen_fds) {
  if (!args.empty()) return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", args[0], "'"));
  ServerOptions s;
  struct Group {
    const std::vector<std::string>* args;
    Transport transport;
  } groups[] = {{&o.tcp, Transport::kTcp},
                {&o.udp, Transport::kUdp},
                {&o.unix_path, Transport::kUnix},
                {&o.unix_dgram, Transport::kUnixDgram}};
  bool any_tls = o.tls;
  for (const Group& g : groups) {
    for (const std::string& a : *g.args) {
      // -u and -U take plain addresses; only -l takes a transport prefix.
      absl::StatusOr<ListenSpec> spec = g.transport == Transport::kTcp
                                            ? ParseListenSpec(a, g.transport)
                                            : ParseListenSpec(absl::StrCat(TransportName(g.transport), ":", a), g.transport);
      if (!spec.ok()) return spec.status();
      if (o.tls && IsStream(spec->transport)) spec->tls = true;
      any_tls = any_tls || spec->tls;
      s.listeners.push_back(*spec);
    }
  }
  s.inherited_fds = listen_fds;
  s.inherited_tls = o.tls;
  absl::StatusOr<std::optional<tls::TlsOptions>> tls = o.tls_server.Validate(any_tls, "--tls or -l tls:ADDR");
  if (!tls.ok()) return tls.status();
  if (s.listeners.empty() && s.inherited_fds.empty()) {
    return Usage("no listeners: give -l, -u, -U or --unix-dgram (or LISTEN_FDS)");
  }
  s.workers = o.workers > 0 ? o.workers : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  s.max_conns = o.max_conns;
  s.idle_timeout = o.idle_timeout;
  s.drain_timeout = o.drain_timeout;
  if (o.service == "echo") {
    s.service = Service::kEcho;
  } else if (o.service == "discard") {
    s.service = Service::kDiscard;
  } else if (o.service == "chargen") {
    s.service = Service::kChargen;
  } else if (o.service == "daytime") {
    s.service = Service::kDaytime;
  } else {
    return Usage(absl::StrCat("--service: unknown service '", o.service,
                              "' (echo, discard, chargen, daytime)"));
  }
  if (o.buffer < 1024) return Usage("--buffer must be at least 1K");
  s.buffer_size = o.buffer;
  s.delay = o.delay;
  s.chunk = o.chunk;
  s.close_after = o.close_after;
  s.rst = o.rst;
  s.splice = o.splice;
  double rate = 0;
  if (!absl::SimpleAtod(o.drop_rate, &rate) || rate < 0 || rate > 1) {
    return Usage(absl::StrCat("--drop-rate: '", o.drop_rate, "' is not a fraction from 0 to 1"));
  }
  s.drop_rate = rate;
  if (s.service != Service::kEcho &&
      (s.delay > absl::ZeroDuration() || s.close_after > 0 || s.chunk > 0)) {
    return Usage("--delay, --chunk and --close-after apply to --service echo only");
  }
  const cli::ReadinessPlan& r = o.readiness.plan();
  return Plan{std::move(s), *std::move(tls), r.port_file, r.ready_fd, r.json};
}

absl::Status Run(const Plan& p, std::ostream& out, std::ostream& log) {
  // Signals arrive on a signalfd read by this thread; the workers inherit
  // the mask that blocks them.
  absl::StatusOr<signal::SignalSource> sigs = server::TakeSignals();
  if (!sigs.ok()) return sigs.status();

  ServerOptions options = p.server;
  for (ListenSpec& l : options.listeners) {
    if (absl::Status s = ResolveListenSpec(l); !s.ok()) return s;
  }
  if (p.tls) {
    absl::StatusOr<tls::TlsContext> ctx = tls::TlsContext::Server(*p.tls);
    if (!ctx.ok()) return ctx.status();
    options.tls = std::make_shared<const tls::TlsContext>(*std::move(ctx));
  }
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Create(options);
  if (!server.ok()) return server.status();
  absl::Status s = (*server)->Start();
  if (!s.ok()) return s;
  s = server::Announce(ReadinessOf((*server)->bound(), p.port_file, p.ready_fd), out);
  if (!s.ok()) return s;
  s = server::WaitForStop(*sigs, [&] { log << FormatStats((*server)->stats(), p.json) << std::endl; });
  if (!s.ok()) return s;
  (*server)->Stop();
  (*server)->Wait();
  log << FormatStats((*server)->stats(), p.json) << std::endl;
  return absl::OkStatus();
}

}  // namespace ipckit::echod
