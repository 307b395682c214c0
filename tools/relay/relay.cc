#include "tools/relay/relay.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_split.h"
#include "lib/io/fd.h"
#include "lib/json/json_writer.h"
#include "lib/net/listening_line.h"
#include "lib/net/socket.h"
#include "lib/server/control_socket.h"
#include "lib/server/lifecycle.h"
#include "lib/signal/signal_source.h"
#include "lib/tls/cert_info.h"
#include "lib/tls/tls_stream.h"
#include "tools/relay/api.h"
#include "tools/relay/api_host.h"
#include "tools/relay/control.h"
#include "tools/relay/stdio.h"
#include "tools/relay/listen.h"
#include "tools/relay/worker.h"

namespace ipckit::relay_tool {
namespace {

absl::Status Usage(absl::string_view m) { return absl::InvalidArgumentError(m); }

// ValidateTls parses the TLS flags FROM and TO need into `p` (lib/cli's
// groups); no file is opened.
absl::Status ValidateTls(const Options& o, Plan& p) {
  absl::StatusOr<std::optional<tls::TlsOptions>> server = o.tls_server.Validate(p.tls_listener, "a tls: FROM");
  if (!server.ok()) return server.status();
  p.server_tls = *std::move(server);
  if (p.to.transport != Transport::kTls) {
    if (o.tls_client.given()) return o.tls_client.NotFor("a tls: TO");
    return absl::OkStatus();
  }
  absl::StatusOr<cli::TlsClientPlan> client = o.tls_client.Validate();
  if (!client.ok()) return client.status();
  p.client_tls = client->options;
  tls::TlsClientParams params = tls::TlsClientParams::For(client->servername.empty() ? p.to.host : client->servername);
  p.server_name = params.server_name;
  p.verify_name = params.verify_name;
  p.pins = client->pins;
  p.insecure = client->insecure;
  return absl::OkStatus();
}

// ValidateProxy parses --proxy (lib/cli's proxy group) into `p`: TO is
// then reached through it.
absl::Status ValidateProxy(const Options& o, Plan& p) {
  absl::StatusOr<std::optional<cli::ProxyPlan>> proxy = o.proxy.Validate();
  if (!proxy.ok()) return proxy.status();
  if (!proxy->has_value()) return absl::OkStatus();
  if (p.to.transport != Transport::kTcp && p.to.transport != Transport::kTls) {
    return Usage("--proxy needs a tcp: or tls: TO");
  }
  const cli::ProxyPlan& x = **proxy;
  if (!x.user.empty() && !x.password) return Usage("--proxy-auth: relay cannot ask for a password: give USER:PASS");
  p.proxy = true;
  p.proxy_host = x.host;
  p.proxy_port = x.port;
  p.proxy_protocol = x.protocol;
  p.proxy_user = x.user;
  p.proxy_password = x.password.value_or("");
  return absl::OkStatus();
}

// ValidateFaults parses --fault, --down and --stall into `p`.
absl::Status ValidateFaults(const Options& o, Plan& p) {
  for (const std::string& text : o.faults) {
    absl::StatusOr<Fault> f = ParseFault(text);
    absl::Status fits = f.ok() ? FitsSessions(*f, IsDatagram(p.from.transport)) : f.status();
    if (!fits.ok()) return Usage(absl::StrCat("--fault '", text, "': ", fits.message()));
    for (const Fault& g : p.faults) {
      if (g.name == f->name) return Usage(absl::StrCat("--fault: two faults named '", f->name, "' (give name=OTHER)"));
    }
    p.faults.push_back(*f);
  }
  if (o.down && o.stall) return Usage("--down and --stall cannot be used together");
  p.admission = o.down ? Admission::kReset : o.stall ? Admission::kStall : Admission::kServe;
  return absl::OkStatus();
}

// ValidateSettings checks and copies the settings every session takes into `p`.
absl::Status ValidateSettings(const Options& o, Plan& p) {
  if (o.on_connect_failure != "reset" && o.on_connect_failure != "close") {
    return Usage(absl::StrCat("--on-connect-failure: want reset or close, got '", o.on_connect_failure, "'"));
  }
  if (o.buffer < 1024) return Usage("--buffer must be at least 1K");
  p.reset_on_connect_failure = o.on_connect_failure == "reset";
  p.workers = o.workers;
  p.max_conns = o.max_conns;
  p.idle_timeout = o.idle_timeout;
  if (o.idle_timeout != absl::InfiniteDuration()) p.udp_idle_timeout = o.idle_timeout;
  p.connect_timeout = o.connect_timeout;
  p.drain_timeout = o.drain_timeout;
  p.nodelay = !o.nagle;
  p.splice = !o.no_splice;
  p.buffer_size = o.buffer;
  p.latency_buffer = o.latency_buffer;
  p.control_path = o.control;
  p.port_file = o.readiness.plan().port_file;
  p.ready_fd = o.readiness.plan().ready_fd;
  p.json = o.readiness.plan().json;
  p.verbose = o.verbose;
  p.dump = o.dump;
  return absl::OkStatus();
}

// ValidateApi parses --api and --config into `p`; with neither and no
// FROM and TO there is nothing to serve.
absl::Status ValidateApi(const Options& o, bool api_only, Plan& p) {
  p.config_path = o.config;
  p.has_from = !api_only;
  if (api_only && (!o.faults.empty() || o.down || o.stall || !o.control.empty() || o.proxy.given() || o.tls)) {
    return Usage("--fault, --down, --stall, --control, --proxy and --tls act on FROM: give FROM and TO "
                 "(the API's proxies take toxics)");
  }
  if (o.api.empty()) return absl::OkStatus();
  absl::StatusOr<net::HostPort> hp = net::SplitHostPort(o.api);
  if (!hp.ok()) return Usage(absl::StrCat("--api '", o.api, "': want HOST:PORT (toxiproxy's is localhost:8474)"));
  absl::StatusOr<uint16_t> port = net::ParsePort(hp->port);
  if (!port.ok()) return Usage(absl::StrCat("--api '", o.api, "': ", port.status().message()));
  p.api = true;
  p.api_host = hp->host;
  p.api_port = *port;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Plan> Validate(const Options& o, const std::vector<std::string>& args,
                              const std::vector<int>& listen_fds) {
  bool api_only = args.empty() && (!o.api.empty() || !o.config.empty());
  if (api_only) {
    Plan p;
    if (absl::Status s = ValidateApi(o, true, p); !s.ok()) return s;
    if (absl::Status s = ValidateTls(o, p); !s.ok()) return s;
    if (absl::Status s = ValidateSettings(o, p); !s.ok()) return s;
    return p;
  }
  if (args.size() != 2) {
    return Usage(args.size() < 2 ? "need FROM and TO (e.g. relay 127.0.0.1:8080 127.0.0.1:80)"
                                 : absl::StrCat("unexpected argument '", args[2], "' (want FROM and TO)"));
  }
  Plan p;
  absl::StatusOr<From> from = ParseFrom(args[0]);
  if (!from.ok()) return from.status();
  p.from = *from;
  absl::StatusOr<To> to = ParseTo(args[1]);
  if (!to.ok()) return to.status();
  p.to = *to;
  if (p.from.transport == Transport::kListenFds) {
    if (listen_fds.empty()) return Usage("FROM listen-fds: no LISTEN_FDS/LISTEN_PID for this process");
    p.listen_fds = listen_fds;
  }
  if (p.from.transport == Transport::kStdio && (!o.faults.empty() || o.down || o.stall || !o.control.empty() ||
                                                 o.max_conns > 0 || o.workers != 1 || !o.api.empty() ||
                                                 !o.config.empty())) {
    return Usage("--fault, --down, --stall, --control, --max-conns, --workers, --api and --config are for "
                 "listeners, not stdio");
  }
  p.tls_listener = p.from.transport == Transport::kTls || (p.from.transport == Transport::kListenFds && o.tls);
  if (o.tls && p.from.transport != Transport::kListenFds) return Usage("--tls is for FROM listen-fds (else write tls:ADDR)");
  if (absl::Status s = ValidateTls(o, p); !s.ok()) return s;
  if (IsDatagram(p.from.transport) != IsDatagram(p.to.transport)) {
    return Usage("a udp: or unix-dgram: FROM needs a udp: or unix-dgram: TO, and the other way round "
                 "(datagrams keep their boundaries)");
  }
  if (absl::Status s = ValidateProxy(o, p); !s.ok()) return s;
  if (absl::Status s = ValidateFaults(o, p); !s.ok()) return s;
  if (absl::Status s = ValidateApi(o, false, p); !s.ok()) return s;
  if (absl::Status s = ValidateSettings(o, p); !s.ok()) return s;
  return p;
}


std::string FormatStats(const std::vector<std::unique_ptr<Worker>>& workers, const Shared& shared, bool as_json) {
  Counters sum;
  auto add = [](std::atomic<uint64_t>& to, const std::atomic<uint64_t>& from) {
    to.store(to.load() + from.load(std::memory_order_relaxed));
  };
  for (const auto& w : workers) {
    const Counters& c = w->counters();
    add(sum.accepted, c.accepted), add(sum.refused, c.refused), add(sum.rejected, c.rejected);
    add(sum.upstream_failures, c.upstream_failures), add(sum.client_handshake_failures, c.client_handshake_failures);
    add(sum.relayed, c.relayed), add(sum.closed, c.closed), add(sum.idle_closed, c.idle_closed);
    add(sum.fault_resets, c.fault_resets), add(sum.fault_limits, c.fault_limits);
    add(sum.fault_timeouts, c.fault_timeouts), add(sum.bytes_up, c.bytes_up), add(sum.bytes_down, c.bytes_down);
    add(sum.bytes_spliced, c.bytes_spliced);
    add(sum.datagrams_up, c.datagrams_up), add(sum.datagrams_down, c.datagrams_down);
    add(sum.datagrams_dropped, c.datagrams_dropped), add(sum.datagrams_lost, c.datagrams_lost);
    add(sum.datagrams_duplicated, c.datagrams_duplicated);
  }
  struct Item {
    const char* name;
    uint64_t value;
  } items[] = {{"accepted", sum.accepted},
               {"active", static_cast<uint64_t>(std::max<int64_t>(0, shared.active.load()))},
               {"relayed", sum.relayed},
               {"closed", sum.closed},
               {"refused", sum.refused},
               {"rejected", sum.rejected},
               {"upstream_failures", sum.upstream_failures},
               {"client_handshake_failures", sum.client_handshake_failures},
               {"idle_closed", sum.idle_closed},
               {"fault_resets", sum.fault_resets},
               {"fault_limits", sum.fault_limits},
               {"fault_timeouts", sum.fault_timeouts},
               {"bytes_up", sum.bytes_up},
               {"bytes_down", sum.bytes_down},
               {"bytes_spliced", sum.bytes_spliced},
               {"datagrams_up", sum.datagrams_up},
               {"datagrams_down", sum.datagrams_down},
               {"datagrams_dropped", sum.datagrams_dropped},
               {"datagrams_lost", sum.datagrams_lost},
               {"datagrams_duplicated", sum.datagrams_duplicated}};
  if (as_json) {
    json::JsonWriter j;
    j.BeginObject();
    for (const Item& i : items) j.Key(i.name).Uint(i.value);
    j.Key("admission").String(AdmissionName(shared.table.admission()));
    j.EndObject();
    return j.str();
  }
  std::string out = "relay: stats:";
  for (const Item& i : items) absl::StrAppend(&out, " ", i.name, "=", i.value);
  return out;
}

namespace {

// Api is the toxiproxy API's parts: its proxies' host, the API, and its socket.
struct Api {
  std::unique_ptr<WorkerHost> host;
  std::unique_ptr<ToxiproxyApi> api;
  std::unique_ptr<server::ControlSocket> socket;  // With --api.
};

// OpenApi makes the API's proxies from --config and listens on --api,
// adding its "listening on ADDR (http)" line and port to `bound`; or
// returns the error ("--config c.json: missing required field: upstream at
// proxy 2").
absl::StatusOr<Api> OpenApi(const Plan& p, std::ostream& log, Bound& bound) {
  Api a;
  a.host = std::make_unique<WorkerHost>(p, &log);
  a.api = std::make_unique<ToxiproxyApi>(a.host.get());
  if (!p.config_path.empty()) {
    absl::StatusOr<std::string> text = io::ReadFile(p.config_path);
    if (!text.ok()) return absl::Status(text.status().code(), absl::StrCat("--config: ", text.status().message()));
    if (absl::Status s = a.api->Populate(*text); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--config ", p.config_path, ": ", s.message()));
    }
  }
  if (!p.api) return a;
  net::ResolveOptions ro;
  ro.passive = true;
  absl::StatusOr<std::vector<net::SocketAddress>> at = net::Resolve(p.api_host, p.api_port, ro);
  if (!at.ok()) return absl::Status(at.status().code(), absl::StrCat("--api: ", at.status().message()));
  absl::StatusOr<std::unique_ptr<server::ControlSocket>> s =
      server::ControlSocket::Listen(at->front(), a.api->Protocol(), ToxiproxyApi::SocketOptions());
  if (!s.ok()) return s.status();
  a.socket = *std::move(s);
  bound.lines.push_back(net::FormatListeningLine(a.socket->address().ToString(), "http"));
  bound.ports.push_back(absl::StrCat(a.socket->address().port()));
  return a;
}

}  // namespace

absl::Status Run(const Plan& plan, std::ostream& out, std::ostream& log) {
  Plan p = plan;
  if (p.has_from) {
    if (absl::Status s = Prepare(&p); !s.ok()) return s;
    if (p.from.transport == Transport::kStdio) return RunStdio(p);
  }
  absl::StatusOr<signal::SignalSource> sigs = server::TakeSignals();
  if (!sigs.ok()) return sigs.status();
  absl::StatusOr<Bound> bound = p.has_from ? Listen(p) : Bound{};
  if (!bound.ok()) return bound.status();
  Shared shared;
  shared.log = &log;
  shared.table.set_datagram(IsDatagram(p.from.transport));
  for (const Fault& f : p.faults) (void)shared.table.Add(f);
  shared.table.set_admission(p.admission);
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < (p.has_from ? p.workers : 0); ++i) {
    // Datagram sockets go to the first worker alone: one client's sessions
    // must live in one place.
    std::vector<ListenerFd> fds;
    for (const ListenerFd& l : bound->fds) {
      if (i == 0 || !l.datagram) fds.push_back(l);
    }
    workers.push_back(std::make_unique<Worker>(p, &shared, fds));
    absl::Status s = workers.back()->Init();
    if (!s.ok()) return s;
  }
  auto stats = [&] { return FormatStats(workers, shared, true); };
  // Each command answered; then the workers look at the fault table.
  server::ControlSocket::Handler answer = [&](absl::string_view line) {
    std::string a = ExecuteControl(line, shared.table, stats);
    for (auto& w : workers) w->Wake();
    return a;
  };
  std::vector<std::unique_ptr<server::ControlSocket>> controls;
  if (!p.control_path.empty()) {
    absl::StatusOr<std::unique_ptr<server::ControlSocket>> c =
        server::ControlSocket::Listen(p.control_path, server::ControlSocket::Lines(answer));
    if (!c.ok()) return c.status();
    controls.push_back(*std::move(c));
  }
  absl::StatusOr<Api> api = p.api || !p.config_path.empty() ? OpenApi(p, log, *bound) : Api{};
  if (!api.ok()) return api.status();
  if (api->socket) controls.push_back(std::move(api->socket));
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([w = w.get()] { w->Run(); });
  absl::Status s = server::Announce({bound->lines, p.port_file, bound->ports, p.ready_fd}, out);
  auto on_usr1 = [&] { log << FormatStats(workers, shared, p.json) << std::endl; };
  std::vector<server::ControlSocket*> served;
  for (auto& c : controls) served.push_back(c.get());
  if (s.ok()) s = server::WaitForStop(*sigs, on_usr1, served);
  for (auto& w : workers) w->RequestStop();
  // The drain refuses new clients at once while the live sessions finish.
  std::vector<int> streams;
  for (const ListenerFd& l : bound->fds) {
    if (!l.datagram) streams.push_back(l.fd);
  }
  server::StopListening(streams);
  for (std::thread& t : threads) t.join();
  controls.clear();  // The API's socket goes before the API; the API stops its proxies.
  log << FormatStats(workers, shared, p.json) << std::endl;
  return s;
}

}  // namespace ipckit::relay_tool
