#include "lib/io/unique_fd.h"

#include <errno.h>
#include <unistd.h>

namespace ipckit::io {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0 && fd_ != fd) {
    // close(2) must not be retried on EINTR on Linux: the descriptor is gone.
    ::close(fd_);
  }
  fd_ = fd < 0 ? -1 : fd;
}

absl::Status UniqueFd::Close() {
  int fd = release();
  if (fd < 0) return absl::OkStatus();
  if (::close(fd) != 0 && errno != EINTR) {
    return absl::ErrnoToStatus(errno, "close");
  }
  return absl::OkStatus();
}

}  // namespace ipckit::io
