// SignalSource turns signals into readable events (the self-pipe idea, as
// Python's signal.set_wakeup_fd, done with signalfd(2)): it blocks the
// signals in the calling thread and delivers each with its full siginfo
// (code, sender pid and uid, sigqueue value) through a descriptor that
// lib/selector can watch. Real-time signals arrive queued, one entry per
// send; standard ones are coalesced by the kernel while pending.
//
// Block the signals before starting threads, or the other threads still
// receive them. The previous mask is restored when the source is destroyed.
//
// Example:
//
//   absl::StatusOr<SignalSource> src = SignalSource::Create({SIGTERM, SIGUSR1});
//   sel->Register(src->fd(), kReadable, &*src);
//   ... absl::StatusOr<std::vector<SignalInfo>> got = src->Read();
//
// Threads: Create on main's thread before other threads start (see above);
// a SignalSource is read from one thread at a time.
#ifndef IPCKIT_LIB_SIGNAL_SIGNAL_SOURCE_H_
#define IPCKIT_LIB_SIGNAL_SIGNAL_SOURCE_H_

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/io/unique_fd.h"

namespace ipckit::signal {

struct SignalInfo {
  int signo = 0;
  int code = 0;        // si_code: SI_USER, SI_QUEUE, SI_KERNEL, ...
  pid_t pid = 0;       // Sender, for SI_USER, SI_QUEUE, SI_TKILL.
  uid_t uid = 0;
  int32_t value = 0;   // sigqueue(3) payload (si_value.sival_int).
};

// CodeName returns the name of a si_code: "SI_USER", "SI_QUEUE", "SI_KERNEL",
// "SI_TKILL", "SI_TIMER", ..., or the number.
std::string CodeName(int code);

class SignalSource {
 public:
  // Create blocks `signals` in this thread and returns a source for them, or
  // the sigprocmask/signalfd error.
  static absl::StatusOr<SignalSource> Create(const std::vector<int>& signals);

  SignalSource(SignalSource&& other) noexcept;
  SignalSource& operator=(SignalSource&&) = delete;
  ~SignalSource();

  int fd() const { return fd_.get(); }

  // Read returns every signal delivered so far (possibly none), in order.
  absl::StatusOr<std::vector<SignalInfo>> Read();

 private:
  SignalSource() = default;
  io::UniqueFd fd_;
  sigset_t old_mask_;
  bool restore_ = false;
};

}  // namespace ipckit::signal

#endif  // IPCKIT_LIB_SIGNAL_SIGNAL_SOURCE_H_
