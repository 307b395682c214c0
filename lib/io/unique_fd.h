// UniqueFd owns one file descriptor and closes it when destroyed. It is
// move-only, like std::unique_ptr, so ownership is always explicit: a function
// that takes a UniqueFd by value takes the descriptor over.
//
// Example:
//
//   int raw = open(path, O_RDONLY | O_CLOEXEC);
//   if (raw < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
//   ipckit::io::UniqueFd fd(raw);
//   ...use fd.get()...
//   // fd is closed here, on every path out of the scope.
//
// Threads: a UniqueFd is a value: one thread at a time; moving it hands the
// descriptor over.
#ifndef IPCKIT_LIB_IO_UNIQUE_FD_H_
#define IPCKIT_LIB_IO_UNIQUE_FD_H_

#include "absl/status/status.h"

namespace ipckit::io {

class UniqueFd {
 public:
  // UniqueFd() owns nothing; get() returns -1.
  UniqueFd() = default;
  // UniqueFd(fd) takes ownership of `fd`; a negative `fd` means none.
  explicit UniqueFd(int fd) : fd_(fd < 0 ? -1 : fd) {}

  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  ~UniqueFd() { reset(); }

  // get returns the descriptor, or -1 if none is owned.
  int get() const { return fd_; }

  // release gives up ownership and returns the descriptor (or -1) without closing it.
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

  // reset closes the owned descriptor, if any, and takes ownership of `fd`.
  // Errors from close(2) are ignored; use Close() to see them.
  void reset(int fd = -1);

  // Close closes the owned descriptor and returns OK, or the error from
  // close(2) ("close: Input/output error"). Either way nothing is owned after.
  absl::Status Close();

  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace ipckit::io

#endif  // IPCKIT_LIB_IO_UNIQUE_FD_H_
