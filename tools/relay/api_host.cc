#include "tools/relay/api_host.h"

#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/server/lifecycle.h"
#include "tools/relay/listen.h"
#include "tools/relay/prepare.h"
#include "tools/relay/worker.h"

namespace ipckit::relay_tool {

struct WorkerHost::Instance {
  Plan plan;
  Shared shared;
  Bound bound;
  std::unique_ptr<Worker> worker;
  std::thread thread;
};

namespace {

// ProxyPlan is `base`'s settings with FROM `listen` and TO `upstream`, both
// TCP, or the error.
absl::StatusOr<Plan> ProxyPlan(const Plan& base, const std::string& listen, const std::string& upstream) {
  absl::StatusOr<From> from = ParseFrom(listen);
  if (!from.ok()) return from.status();
  if (from->transport != Transport::kTcp) {
    return absl::InvalidArgumentError(absl::StrCat("listen '", listen, "': an API proxy listens on TCP HOST:PORT"));
  }
  absl::StatusOr<To> to = ParseTo(upstream);
  if (!to.ok()) return to.status();
  if (to->transport != Transport::kTcp) {
    return absl::InvalidArgumentError(absl::StrCat("upstream '", upstream, "': an API proxy connects to TCP HOST:PORT"));
  }
  Plan p;
  p.from = *from;
  p.to = *to;
  p.max_conns = base.max_conns;
  p.idle_timeout = base.idle_timeout;
  p.connect_timeout = base.connect_timeout;
  p.drain_timeout = absl::ZeroDuration();  // Disabled: its connections close at once.
  p.nodelay = base.nodelay;
  p.splice = base.splice;
  p.reset_on_connect_failure = base.reset_on_connect_failure;
  p.buffer_size = base.buffer_size;
  p.latency_buffer = base.latency_buffer;
  p.verbose = base.verbose;
  p.dump = base.dump;
  return p;
}

}  // namespace

WorkerHost::WorkerHost(const Plan& base, std::ostream* log) : base_(base), log_(log) {}

WorkerHost::~WorkerHost() {
  while (!running_.empty()) Stop(running_.begin()->first);
}

absl::StatusOr<std::string> WorkerHost::Start(const std::string& name, const std::string& listen,
                                              const std::string& upstream, const std::vector<Fault>& faults) {
  absl::StatusOr<Plan> plan = ProxyPlan(base_, listen, upstream);
  if (!plan.ok()) return plan.status();
  auto in = std::make_unique<Instance>();
  in->plan = *std::move(plan);
  if (absl::Status s = Prepare(&in->plan); !s.ok()) return s;
  absl::StatusOr<Bound> bound = Listen(in->plan);
  if (!bound.ok()) return bound.status();
  in->bound = *std::move(bound);
  in->shared.log = log_;
  for (const Fault& f : faults) (void)in->shared.table.Add(f);
  in->worker = std::make_unique<Worker>(in->plan, &in->shared, in->bound.fds);
  if (absl::Status s = in->worker->Init(); !s.ok()) return s;
  in->thread = std::thread([w = in->worker.get()] { w->Run(); });
  std::string at = in->bound.listeners[0].address().ToString();
  Stop(name);
  running_[name] = std::move(in);
  return at;
}

void WorkerHost::Stop(const std::string& name) {
  auto it = running_.find(name);
  if (it == running_.end()) return;
  Instance& in = *it->second;
  in.worker->RequestStop();
  server::StopListening({in.bound.fds[0].fd});
  in.thread.join();
  running_.erase(it);
}

void WorkerHost::SetFaults(const std::string& name, const std::vector<Fault>& faults) {
  auto it = running_.find(name);
  if (it == running_.end()) return;
  FaultTable& table = it->second->shared.table;
  table.Clear();
  for (const Fault& f : faults) (void)table.Add(f);
  it->second->worker->Wake();
}

}  // namespace ipckit::relay_tool
