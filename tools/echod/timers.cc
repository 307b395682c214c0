// timers.cc: --delay's held echoes and the --idle-timeout sweep (see worker.h).
#include "tools/echod/worker.h"


namespace ipckit::echod {

void Worker::RunTimers(int64_t now) {
  while (!timers_.empty() && timers_.begin()->first <= now) {
    uint64_t id = timers_.begin()->second;
    timers_.erase(timers_.begin());
    auto it = conns_.find(id);
    if (it == conns_.end()) continue;
    Conn* c = it->second.get();
    while (!c->delayed.empty() && c->delayed.front().first <= now && c->kept_len == 0) {
      std::string data = std::move(c->delayed.front().second);
      c->delayed.pop_front();
      c->delayed_bytes -= data.size();
      Send(c, data.data(), data.size());
      if (!Alive(c)) break;
    }
    if (!Alive(c)) continue;
    if (c->kept_len == 0) {
      if (c->read_eof && c->delayed.empty()) {
        Close(c, true);
      } else if (!c->read_eof) {
        c->reading = c->delayed_bytes < o_.buffer_size;
        Watch(c, c->reading ? EPOLLIN | EPOLLRDHUP : 0);
      }
    }
  }
}

void Worker::SweepIdle(int64_t now) {
  absl::Time t = absl::FromUnixNanos(now);
  if (!idle_.Due(t)) return;
  auto last_active = [](const Conn& c) { return absl::FromUnixNanos(c.last_active); };
  for (Conn* c : idle_.Expired(t, conns_, last_active)) Close(c, true);
}

}  // namespace ipckit::echod
