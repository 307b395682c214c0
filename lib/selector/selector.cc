#include "lib/selector/selector.h"

#include <errno.h>
#include <poll.h>
#include <sys/epoll.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/io/eintr.h"
#include "lib/io/unique_fd.h"
#include "lib/io/wait.h"

namespace ipckit::selector {
namespace {

// EpollSelector watches descriptors with epoll(7), level-triggered.
class EpollSelector : public Selector {
 public:
  explicit EpollSelector(io::UniqueFd epfd) : epfd_(std::move(epfd)) {}

 protected:
  absl::Status Add(int fd, uint32_t events) override { return Ctl(EPOLL_CTL_ADD, fd, events); }
  absl::Status Change(int fd, uint32_t events) override { return Ctl(EPOLL_CTL_MOD, fd, events); }
  absl::Status Remove(int fd) override { return Ctl(EPOLL_CTL_DEL, fd, 0); }

  absl::Status Wait(int timeout_ms, std::vector<Event>* out) override {
    struct epoll_event evs[256];
    int n = ::epoll_wait(epfd_.get(), evs, 256, timeout_ms);
    if (n < 0) return io::WouldBlock(errno) ? absl::OkStatus() : absl::ErrnoToStatus(errno, "epoll_wait");
    for (int i = 0; i < n; ++i) {
      uint32_t e = 0;
      if (evs[i].events & (EPOLLIN | EPOLLPRI | EPOLLRDHUP)) e |= kReadable;
      if (evs[i].events & EPOLLOUT) e |= kWritable;
      out->push_back(Event{evs[i].data.fd, e, nullptr});
      // Errors and hang-ups: see Selector::Select.
      if (evs[i].events & (EPOLLERR | EPOLLHUP)) out->back().events |= ~0u;
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Ctl(int op, int fd, uint32_t events) {
    struct epoll_event ev = {};
    if (events & kReadable) ev.events |= EPOLLIN | EPOLLRDHUP;
    if (events & kWritable) ev.events |= EPOLLOUT;
    ev.data.fd = fd;
    if (::epoll_ctl(epfd_.get(), op, fd, &ev) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("epoll_ctl fd ", fd));
    }
    return absl::OkStatus();
  }

  io::UniqueFd epfd_;
};

// PollSelector watches descriptors with poll(2), for systems without epoll.
class PollSelector : public Selector {
 protected:
  absl::Status Add(int, uint32_t) override { return absl::OkStatus(); }
  absl::Status Change(int, uint32_t) override { return absl::OkStatus(); }
  absl::Status Remove(int) override { return absl::OkStatus(); }

  absl::Status Wait(int timeout_ms, std::vector<Event>* out) override {
    std::vector<struct pollfd> fds;
    for (const auto& [fd, reg] : registered()) {
      if (reg.events == 0) continue;
      short want = 0;
      if (reg.events & kReadable) want |= POLLIN;
      if (reg.events & kWritable) want |= POLLOUT;
      fds.push_back({fd, want, 0});
    }
    int n = ::poll(fds.data(), fds.size(), timeout_ms);
    if (n < 0) return io::WouldBlock(errno) ? absl::OkStatus() : absl::ErrnoToStatus(errno, "poll");
    for (const struct pollfd& p : fds) {
      if (p.revents == 0) continue;
      uint32_t e = 0;
      if (p.revents & (POLLIN | POLLPRI)) e |= kReadable;
      if (p.revents & POLLOUT) e |= kWritable;
      if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) e |= ~0u;
      out->push_back(Event{p.fd, e, nullptr});
    }
    return absl::OkStatus();
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<Selector>> Selector::Create(Backend backend) {
  if (backend == Backend::kPoll) return std::unique_ptr<Selector>(new PollSelector());
  int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, "epoll_create1");
  return std::unique_ptr<Selector>(new EpollSelector(io::UniqueFd(fd)));
}

absl::Status Selector::Register(int fd, uint32_t events, void* data) {
  if (registered_.contains(fd)) {
    return absl::AlreadyExistsError(absl::StrCat("register fd ", fd, ": already registered"));
  }
  if (fd < 0) return absl::InvalidArgumentError(absl::StrCat("register fd ", fd, ": bad descriptor"));
  if (events != 0) {
    absl::Status s = Add(fd, events);
    if (!s.ok()) return s;
  }
  registered_[fd] = Registration{events, data};
  return absl::OkStatus();
}

absl::Status Selector::Modify(int fd, uint32_t events, void* data) {
  auto it = registered_.find(fd);
  if (it == registered_.end()) {
    return absl::NotFoundError(absl::StrCat("modify fd ", fd, ": not registered"));
  }
  uint32_t old = it->second.events;
  absl::Status s;
  if (old == 0 && events != 0) {
    s = Add(fd, events);
  } else if (old != 0 && events == 0) {
    s = Remove(fd);
  } else if (old != events) {
    s = Change(fd, events);
  }
  if (!s.ok()) return s;
  it->second = Registration{events, data};
  return absl::OkStatus();
}

absl::Status Selector::Unregister(int fd) {
  auto it = registered_.find(fd);
  if (it == registered_.end()) {
    return absl::NotFoundError(absl::StrCat("unregister fd ", fd, ": not registered"));
  }
  absl::Status s = it->second.events != 0 ? Remove(fd) : absl::OkStatus();
  registered_.erase(it);
  return s;
}

Selector::TimerId Selector::AddTimer(absl::Time when, void* data) {
  TimerId id = next_timer_++;
  timers_.emplace(std::make_pair(when, id), data);
  timer_times_[id] = when;
  return id;
}

bool Selector::CancelTimer(TimerId id) {
  auto it = timer_times_.find(id);
  if (it == timer_times_.end()) return false;
  timers_.erase(std::make_pair(it->second, id));
  timer_times_.erase(it);
  return true;
}

absl::StatusOr<std::vector<Event>> Selector::Select(absl::Time deadline) {
  std::vector<Event> out;
  for (;;) {
    absl::Time now = absl::Now();
    absl::Time until = deadline;
    if (!timers_.empty()) until = std::min(until, timers_.begin()->first.first);
    absl::Status s = Wait(io::PollTimeoutMs(until, now), &out);
    if (!s.ok()) return s;
    // Fill in data, and narrow error/hang-up reports to what is registered.
    for (Event& e : out) {
      const Registration& r = registered_.at(e.fd);
      e.events &= r.events;
      e.data = r.data;
    }
    out.erase(std::remove_if(out.begin(), out.end(), [](const Event& e) { return e.events == 0; }),
              out.end());
    now = absl::Now();
    while (!timers_.empty() && timers_.begin()->first.first <= now) {
      auto it = timers_.begin();
      out.push_back(Event{-1, 0, it->second});
      timer_times_.erase(it->first.second);
      timers_.erase(it);
    }
    if (!out.empty() || now >= deadline) return out;
  }
}

}  // namespace ipckit::selector
