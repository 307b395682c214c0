// Selector waits for I/O readiness on many descriptors and for timers, like
// Python's selectors module: Register(fd, events, data), Modify, Unregister,
// Select(deadline). The default backend is epoll(7); a poll(2) backend, for
// other POSIX systems, is selectable and passes the same tests.
//
// Errors and hang-ups are reported as the events the descriptor is registered
// for, so the next read(2) or write(2) reports them. A descriptor registered
// with no events stays registered (with its data) but is not watched at all,
// which is how a relay applies backpressure.
//
// Timers are first-class: AddTimer(when, data) makes Select return an Event
// with fd == -1 and that data once `when` has passed.
//
// Example:
//
//   absl::StatusOr<std::unique_ptr<Selector>> sel = Selector::Create();
//   (*sel)->Register(sock, kReadable, &conn);
//   (*sel)->AddTimer(absl::Now() + absl::Seconds(5), &idle_timer);
//   absl::StatusOr<std::vector<Event>> ready = (*sel)->Select(absl::InfiniteFuture());
//   for (const Event& e : *ready) { ... e.data ... }
//
// Threads: a Selector is used by the one thread that calls Select; wake it
// from another thread through a descriptor it watches (an eventfd), not by
// calling it.
#ifndef IPCKIT_LIB_SELECTOR_SELECTOR_H_
#define IPCKIT_LIB_SELECTOR_SELECTOR_H_

#include <stdint.h>

#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ipckit::selector {

inline constexpr uint32_t kReadable = 1;
inline constexpr uint32_t kWritable = 2;

// Event is one ready descriptor, or one due timer (fd == -1).
struct Event {
  int fd = -1;
  uint32_t events = 0;  // kReadable and/or kWritable; 0 for a timer.
  void* data = nullptr;
};

class Selector {
 public:
  enum class Backend { kEpoll, kPoll };
  using TimerId = uint64_t;

  // Create returns a selector using `backend`, or the epoll_create1(2) error.
  static absl::StatusOr<std::unique_ptr<Selector>> Create(Backend backend = Backend::kEpoll);

  virtual ~Selector() = default;

  // Register starts watching `fd` for `events` (kReadable | kWritable, or 0),
  // returning `data` with its events. It fails with kAlreadyExists
  // "register fd 5: already registered", or the epoll_ctl(2) error.
  absl::Status Register(int fd, uint32_t events, void* data);

  // Modify changes what `fd` is watched for and its data, or fails with
  // kNotFound "modify fd 5: not registered".
  absl::Status Modify(int fd, uint32_t events, void* data);

  // Unregister stops watching `fd`, or fails with kNotFound
  // "unregister fd 5: not registered". Unregister before closing `fd`.
  absl::Status Unregister(int fd);

  // AddTimer arranges for Select to return {fd = -1, data} once `when` has
  // passed, and returns an id for CancelTimer. Timers fire once.
  TimerId AddTimer(absl::Time when, void* data);

  // CancelTimer removes a timer that has not fired; it returns false if there
  // is no such timer (already fired or cancelled).
  bool CancelTimer(TimerId id);

  // Select waits until a descriptor is ready or a timer is due, or until
  // `deadline`, and returns the ready descriptors followed by the due timers
  // (in time order); an empty list means the deadline passed. Signals do
  // not end the wait early. It fails only if the wait itself fails.
  absl::StatusOr<std::vector<Event>> Select(absl::Time deadline);

  // size returns the number of registered descriptors.
  size_t size() const { return registered_.size(); }

 protected:
  Selector() = default;
  struct Registration {
    uint32_t events;
    void* data;
  };
  // Backend hooks: watch, change or stop watching `fd` (events != 0 only for
  // Add and Change; the base class handles the 0-events case), and wait.
  virtual absl::Status Add(int fd, uint32_t events) = 0;
  virtual absl::Status Change(int fd, uint32_t events) = 0;
  virtual absl::Status Remove(int fd) = 0;
  // Wait waits up to `timeout_ms` (-1: forever) and appends ready events,
  // with `data` left for the base class to fill; EINTR returns OK.
  virtual absl::Status Wait(int timeout_ms, std::vector<Event>* out) = 0;

  const absl::flat_hash_map<int, Registration>& registered() const { return registered_; }

 private:
  absl::flat_hash_map<int, Registration> registered_;
  std::map<std::pair<absl::Time, TimerId>, void*> timers_;
  absl::flat_hash_map<TimerId, absl::Time> timer_times_;
  TimerId next_timer_ = 1;
};

}  // namespace ipckit::selector

#endif  // IPCKIT_LIB_SELECTOR_SELECTOR_H_
