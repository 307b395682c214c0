// wait.h turns deadlines into poll(2) waits, in one place: the rounding (up,
// so a wait never ends just before its deadline and spins), the infinite
// deadline (-1), the clamp (poll takes an int), and EINTR.
//
// Example:
//
//   absl::Time deadline = absl::Now() + absl::Seconds(5);
//   absl::StatusOr<bool> ready = WaitUntil(fd, POLLIN, deadline, "read net");
//   if (ready.ok() && !*ready) { /* timed out */ }
//
// Threads: any thread; each call waits on the descriptors it is given.
#ifndef IPCKIT_LIB_IO_WAIT_H_
#define IPCKIT_LIB_IO_WAIT_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ipckit::io {

// PollTimeoutMs returns poll(2)'s timeout for `deadline` seen at `now`: -1
// for absl::InfiniteFuture(), 0 once it has passed, else the milliseconds
// left rounded up, at most 2^30.
int PollTimeoutMs(absl::Time deadline, absl::Time now = absl::Now());

// WaitUntil waits until `fd` is ready for `events` (POLLIN, POLLOUT; error
// and hang-up count as ready) and returns true, or returns false once
// `deadline` passes, or the poll(2) error as "context: poll: ...". Signals
// do not end the wait early.
absl::StatusOr<bool> WaitUntil(int fd, short events, absl::Time deadline, absl::string_view context);

}  // namespace ipckit::io

#endif  // IPCKIT_LIB_IO_WAIT_H_
