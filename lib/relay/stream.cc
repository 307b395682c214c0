#include "lib/relay/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "lib/io/fd.h"

namespace ipckit::relay {

absl::StatusOr<size_t> FdStream::Read(absl::Span<char> buf) {
  return io::ReadOnce(fd_, buf, absl::StrCat("read ", name_));
}

absl::StatusOr<size_t> FdStream::Write(absl::string_view data) {
  return io::WriteOnce(fd_, data, absl::StrCat("write ", name_));
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

}  // namespace ipckit::relay
