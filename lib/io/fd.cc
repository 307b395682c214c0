#include "lib/io/fd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"

namespace ipckit::io {
namespace {

bool WouldBlock(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

// WaitFor blocks until `fd` is ready for `events` (POLLIN or POLLOUT), or
// returns the poll(2) error. Readiness includes hang-up and error conditions;
// the next read or write reports those.
absl::Status WaitFor(int fd, short events, absl::string_view context) {
  struct pollfd pfd = {fd, events, 0};
  for (;;) {
    int n = ::poll(&pfd, 1, -1);
    if (n >= 0) return absl::OkStatus();
    if (errno != EINTR) return absl::ErrnoToStatus(errno, absl::StrCat(context, ": poll"));
  }
}

// SetFcntlBit turns `bit` on or off in the flags that fcntl(fd, get_cmd)
// reads and fcntl(fd, set_cmd) writes, skipping the write when nothing changes.
absl::Status SetFcntlBit(int fd, int get_cmd, int set_cmd, int bit, bool on,
                         absl::string_view get_name, absl::string_view set_name) {
  int flags = ::fcntl(fd, get_cmd);
  if (flags < 0) return absl::ErrnoToStatus(errno, get_name);
  int want = on ? (flags | bit) : (flags & ~bit);
  if (want != flags && ::fcntl(fd, set_cmd, want) < 0) return absl::ErrnoToStatus(errno, set_name);
  return absl::OkStatus();
}

}  // namespace

// IoError: kUnavailable is kept for "would
// block" alone: absl also maps ECONNRESET and friends to it, and a relay
// that took a reset for "try later" would report the next read's 0 as a
// clean end of input.
absl::Status IoError(int err, absl::string_view context) {
  absl::Status s = absl::ErrnoToStatus(err, context);
  if (absl::IsUnavailable(s) && !WouldBlock(err)) return absl::AbortedError(s.message());
  return s;
}

absl::StatusOr<size_t> ReadOnce(int fd, absl::Span<char> buf, absl::string_view context) {
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return IoError(errno, context);
  }
}

absl::StatusOr<size_t> WriteOnce(int fd, absl::string_view data,
                                 absl::string_view context) {
  for (;;) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return IoError(errno, context);
  }
}

absl::StatusOr<size_t> ReadFull(int fd, absl::Span<char> buf, absl::string_view context) {
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::read(fd, buf.data() + done, buf.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n == 0) {
      break;
    } else if (errno == EINTR) {
      continue;
    } else if (WouldBlock(errno)) {
      absl::Status s = WaitFor(fd, POLLIN, context);
      if (!s.ok()) return s;
    } else {
      return IoError(errno, context);
    }
  }
  return done;
}

absl::Status WriteAll(int fd, absl::string_view data, absl::string_view context) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n >= 0) {
      done += static_cast<size_t>(n);
    } else if (errno == EINTR) {
      continue;
    } else if (WouldBlock(errno)) {
      absl::Status s = WaitFor(fd, POLLOUT, context);
      if (!s.ok()) return s;
    } else {
      return IoError(errno, context);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadToEnd(int fd, absl::string_view context) {
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    absl::StatusOr<size_t> n = ReadFull(fd, absl::MakeSpan(buf), context);
    if (!n.ok()) return n.status();
    out.append(buf, *n);
    if (*n < sizeof(buf)) return out;
  }
}

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view context) {
  if (path == "-") return ReadToEnd(STDIN_FILENO, context.empty() ? "read stdin" : context);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return absl::ErrnoToStatus(errno, context.empty() ? absl::StrCat("open ", path) : std::string(context));
  return ReadToEnd(fd.get(), context.empty() ? absl::StrCat("read ", path) : std::string(context));
}

absl::Status SetNonBlocking(int fd, bool on) {
  return SetFcntlBit(fd, F_GETFL, F_SETFL, O_NONBLOCK, on, "fcntl(F_GETFL)", "fcntl(F_SETFL)");
}

absl::StatusOr<bool> IsNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return absl::ErrnoToStatus(errno, "fcntl(F_GETFL)");
  return (flags & O_NONBLOCK) != 0;
}

absl::Status SetCloseOnExec(int fd, bool on) {
  return SetFcntlBit(fd, F_GETFD, F_SETFD, FD_CLOEXEC, on, "fcntl(F_GETFD)", "fcntl(F_SETFD)");
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents) {
  std::string tmp = absl::StrCat(path, ".tmp.", ::getpid());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return absl::ErrnoToStatus(errno, absl::StrCat("write ", path));
  absl::Status s = WriteAll(fd.get(), contents, absl::StrCat("write ", path));
  if (s.ok()) s = fd.Close();
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    s = absl::ErrnoToStatus(errno, absl::StrCat("write ", path));
  }
  if (!s.ok()) ::unlink(tmp.c_str());
  return s;
}

absl::Status EnsureStandardFds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    // open(2) returns the lowest free descriptor: this one.
    int got = ::open("/dev/null", O_RDWR);
    if (got < 0) return absl::ErrnoToStatus(errno, "open /dev/null");
    if (got != fd) {
      ::close(got);
      return absl::InternalError(absl::StrCat("open /dev/null gave fd ", got, ", not ", fd));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Pipe> MakePipe(int flags) {
  int fds[2];
  if (::pipe2(fds, flags) != 0) return absl::ErrnoToStatus(errno, "pipe2");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace ipckit::io
