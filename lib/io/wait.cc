#include "lib/io/wait.h"

#include <errno.h>
#include <poll.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ipckit::io {

int PollTimeoutMs(absl::Time deadline, absl::Time now) {
  if (deadline == absl::InfiniteFuture()) return -1;
  if (deadline <= now) return 0;
  absl::Duration left = absl::Ceil(deadline - now, absl::Milliseconds(1));
  return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(left), int64_t{1} << 30));
}

absl::StatusOr<bool> WaitUntil(int fd, short events, absl::Time deadline, absl::string_view context) {
  for (;;) {
    struct pollfd p = {fd, events, 0};
    absl::Time now = absl::Now();
    int ms = PollTimeoutMs(deadline, now);
    int n = ::poll(&p, 1, ms);
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return absl::ErrnoToStatus(errno, absl::StrCat(context, ": poll"));
    if (n == 0 && absl::Now() >= deadline) return false;
  }
}

}  // namespace ipckit::io
