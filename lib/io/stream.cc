#include "lib/io/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "lib/io/fd.h"

namespace ipckit::io {

// Read and Write make the syscall themselves and build the message only on
// an error (kUnavailable, without a message, when it would block): a
// relay calls them for every buffer it moves.
absl::StatusOr<size_t> FdStream::Read(absl::Span<char> buf) {
  for (;;) {
    ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EAGAIN) return absl::UnavailableError("");
    if (errno != EINTR) return io::IoError(errno, absl::StrCat("read ", name_));
  }
}

absl::StatusOr<size_t> FdStream::Write(absl::string_view data) {
  for (;;) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EAGAIN) return absl::UnavailableError("");
    if (errno != EINTR) return io::IoError(errno, absl::StrCat("write ", name_));
  }
}

absl::Status FdStream::CloseWrite() {
  if (write_closed_) return absl::OkStatus();
  write_closed_ = true;
  if (kind_ == Kind::kSocket) {
    if (::shutdown(fd_, SHUT_WR) != 0 && errno != ENOTCONN) {
      return absl::ErrnoToStatus(errno, absl::StrCat("shutdown ", name_));
    }
    return absl::OkStatus();
  }
  if (owned_) return owned_.Close();
  // Keep the descriptor number taken, so nothing else lands on it.
  io::UniqueFd devnull(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  if (!devnull) return absl::ErrnoToStatus(errno, absl::StrCat("close ", name_, ": open /dev/null"));
  if (::dup3(devnull.get(), fd_, O_CLOEXEC) < 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("close ", name_));
  }
  return absl::OkStatus();
}

}  // namespace ipckit::io
