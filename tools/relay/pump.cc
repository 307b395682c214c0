// pump.cc: relaying (worker.h): the two Flows of a session, the faults it
// drew, and closing it.
#include <sys/socket.h>

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "tools/relay/dump.h"
#include "tools/relay/worker.h"

namespace ipckit::relay_tool {

void Worker::StartRelay(Session* s, absl::Time now) {
  s->state = Session::State::kRelaying;
  s->deadline = absl::InfiniteFuture();
  Schedule(s, absl::InfiniteFuture());
  if (plan_.dump) {
    auto sink = [this](const std::string& block) {
      std::lock_guard<std::mutex> lock(LogMutex());
      *shared_->log << block << std::flush;
    };
    s->client = std::make_unique<DumpStream>(std::move(s->client), '>', sink);
    s->upstream = std::make_unique<DumpStream>(std::move(s->upstream), '<', sink);
  }
  s->up.emplace(s->client.get(), s->upstream.get(), plan_.buffer_size, plan_.latency_buffer);
  s->down.emplace(s->upstream.get(), s->client.get(), plan_.buffer_size, plan_.latency_buffer);
  if (!plan_.splice) {
    s->up->NeverSplice();
    s->down->NeverSplice();
  }
  Add(counters_.relayed, 1);
  if (plan_.verbose > 0) {
    Log(absl::StrCat("connection ", s->id, " from ", s->peer.ToString(), " to ",
                     plan_.to.transport == Transport::kTcp || plan_.to.transport == Transport::kTls
                         ? s->connecting_to.ToString()
                         : Describe(plan_.to)));
  }
  if (faults_ != nullptr && !faults_->empty()) DrawFaults(s, now);
  // Read at once: the client may have spoken already (its bytes are not
  // announced again on a registered descriptor's first watch).
  Pump(s, true, true, selector::kReadable | selector::kWritable, selector::kReadable | selector::kWritable, now);
}

// Pump moves bytes both ways after an event on one side (or a timer: no
// side ready), then ends the session or watches what it waits for.
void Worker::Pump(Session* s, bool client_ready, bool upstream_ready, uint32_t client_ev, uint32_t upstream_ev,
                  absl::Time now) {
  relay::Flow& up = *s->up;
  relay::Flow& down = *s->down;
  absl::Span<char> scratch(scratch_->data(), scratch_->size());
  bool up_src = client_ready && (client_ev & s->client->ReadWaitsFor()) != 0;
  bool down_dst = client_ready && (client_ev & s->client->WriteWaitsFor()) != 0;
  bool down_src = upstream_ready && (upstream_ev & s->upstream->ReadWaitsFor()) != 0;
  bool up_dst = upstream_ready && (upstream_ev & s->upstream->WriteWaitsFor()) != 0;
  absl::Status st = up.Pump(now, up_src, up_dst, scratch);
  if (st.ok()) st = down.Pump(now, down_src, down_dst, scratch);
  if (!st.ok()) {
    Close(s, true, std::string(st.message()));
    return;
  }
  AfterPump(s, now);
}

void Worker::AfterPump(Session* s, absl::Time now) {
  relay::Flow& up = *s->up;
  relay::Flow& down = *s->down;
  if (up.moved() != s->counted_up || down.moved() != s->counted_down) {
    Add(counters_.bytes_up, up.moved() - s->counted_up);
    Add(counters_.bytes_down, down.moved() - s->counted_down);
    s->counted_up = up.moved();
    s->counted_down = down.moved();
    Add(counters_.bytes_spliced, up.spliced() + down.spliced() - s->counted_spliced);
    s->counted_spliced = up.spliced() + down.spliced();
    s->last_active = now;
  }
  if (up.limit_reached() || down.limit_reached()) {
    Add(counters_.fault_limits, 1);
    Close(s, s->limit_reset, "fault limit-data");
    return;
  }
  if (up.done() && down.done()) {
    Close(s, false, "");
    return;
  }
  Watch(s, false, up.SrcEvents() | down.DstEvents());
  Watch(s, true, down.SrcEvents() | up.DstEvents());
  if (up.ReadyWithoutWaiting() || down.ReadyWithoutWaiting()) ready_.push_back(s);
  absl::Time t = std::min({up.NextTimer(now), down.NextTimer(now), s->reset_at, s->close_at});
  Schedule(s, t);
}

// DrawFaults brings the session's faults in line with the table: each new
// fault is drawn once (applies with its probability p) and starts its
// clock now (or when the session started, for faults present then); gone
// faults are dropped. Then the flows' shaping and the reset-peer and
// timeout clocks follow from the faults that apply.
std::vector<const Fault*> Worker::Draw(absl::flat_hash_map<std::string, Drawn>& drawn, absl::Time now) {
  absl::flat_hash_map<std::string, Drawn> next;
  std::vector<const Fault*> applied;
  std::uniform_real_distribution<double> dice(0.0, 1.0);
  for (const Fault& f : *faults_) {
    auto it = drawn.find(f.name);
    Drawn d = it != drawn.end() ? it->second : Drawn{f.probability >= 1 || dice(rng_) < f.probability, now};
    next[f.name] = d;
    if (d.applies) applied.push_back(&f);
  }
  drawn = std::move(next);
  return applied;
}

void Worker::DrawFaults(Session* s, absl::Time now) {
  if (s->faults_version == table_version_ || faults_ == nullptr) return;
  s->faults_version = table_version_;
  std::vector<const Fault*> applied = Draw(s->drawn, now);
  s->up->set_shaping(ShapingFor(applied, kUp));
  s->down->set_shaping(ShapingFor(applied, kDown));
  s->reset_at = s->close_at = absl::InfiniteFuture();
  s->limit_reset = false;
  for (const Fault* f : applied) {
    if (f->kind == FaultKind::kLimitData && f->reset) s->limit_reset = true;
    absl::Time since = s->drawn[f->name].since;
    if (f->kind == FaultKind::kResetPeer) s->reset_at = std::min(s->reset_at, since + f->duration);
    if (f->kind == FaultKind::kTimeout && f->duration > absl::ZeroDuration()) {
      s->close_at = std::min(s->close_at, since + f->duration);
    }
  }
}

// Close ends a session: both descriptors closed (with a reset when `reset`),
// the child left to be reaped, `why` logged at -v.
void Worker::Close(Session* s, bool reset, const std::string& why) {
  if (s->state == Session::State::kClosed) return;
  if (plan_.verbose > 0 && s->state == Session::State::kRelaying) {
    Log(absl::StrCat("connection ", s->id, " closed", why.empty() ? "" : ": ", why, " (", s->up->moved(), " up, ",
                     s->down->moved(), " down)"));
  } else if (plan_.verbose > 0 && !why.empty()) {
    Log(absl::StrCat(s->peer.ToString(), ": ", why));
  }
  if (s->up.has_value()) {
    Add(counters_.bytes_up, s->up->moved() - s->counted_up);
    Add(counters_.bytes_down, s->down->moved() - s->counted_down);
  }
  s->state = Session::State::kClosed;
  Schedule(s, absl::InfiniteFuture());
  ready_.erase(std::remove(ready_.begin(), ready_.end(), s), ready_.end());
  for (io::Stream* stream : {s->client.get(), s->upstream.get()}) {
    if (stream != nullptr && reset) Linger0(stream->fd());
  }
  if (s->client) Forget(s, false);
  if (s->upstream) Forget(s, true);
  s->up.reset();
  s->down.reset();
  if (s->child.has_value()) children_.push_back({*std::move(s->child), absl::Now() + kChildGrace});
  Add(counters_.closed, 1);
  shared_->active.fetch_sub(1, std::memory_order_relaxed);
  auto it = sessions_.find(s->id);
  closed_.push_back(std::move(it->second));
  sessions_.erase(it);
}

}  // namespace ipckit::relay_tool
