// fd.h holds the one place in ipckit where short reads, short writes and
// EAGAIN on blocking-style I/O are handled, plus small descriptor helpers;
// EINTR is eintr.h's (RetryEintr, WouldBlock), which these use too, and no
// code outside lib/io tests for it. Every tool that reads or writes whole
// buffers goes through these.
//
// Each function wraps errno into an absl::Status once, where the syscall
// fails, with the caller's `context` in front: WriteAll(fd, data, "write stdout")
// fails as "write stdout: Broken pipe".
//
// Example:
//
//   absl::StatusOr<ipckit::io::Pipe> p = ipckit::io::MakePipe();
//   if (!p.ok()) return p.status();
//   absl::Status s = ipckit::io::WriteAll(p->write.get(), "hello", "write pipe");
//   char buf[5];
//   absl::StatusOr<size_t> n = ipckit::io::ReadFull(p->read.get(), absl::MakeSpan(buf), "read pipe");
//
// Threads: any thread; the calls touch only the descriptors given (two
// threads on one descriptor interleave as read(2) and write(2) do).
#ifndef IPCKIT_LIB_IO_FD_H_
#define IPCKIT_LIB_IO_FD_H_

#include <fcntl.h>
#include <stddef.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lib/io/unique_fd.h"

namespace ipckit::io {

// IoError returns the status for a read(2)/write(2) errno `err` with
// `context` in front ("read net: Connection reset by peer"): kUnavailable
// for EAGAIN alone; errors absl maps to kUnavailable come back as kAborted.
absl::Status IoError(int err, absl::string_view context);

// ReadOnce makes one read(2) into `buf`, retrying on EINTR. It returns the
// number of bytes read (0 at end of file), or the read(2) error; on a
// non-blocking descriptor with nothing to read that error has code
// kUnavailable (EAGAIN), and only then: errors absl maps to kUnavailable
// (ECONNRESET, ECONNABORTED, ...) come back as kAborted, here and in every
// read and write helper below.
absl::StatusOr<size_t> ReadOnce(int fd, absl::Span<char> buf,
                                absl::string_view context = "read");

// WriteOnce makes one write(2) of `data`, retrying on EINTR. It returns the
// number of bytes written, which may be fewer than data.size(), or the
// write(2) error (kUnavailable for EAGAIN on a non-blocking descriptor).
absl::StatusOr<size_t> WriteOnce(int fd, absl::string_view data,
                                 absl::string_view context = "write");

// ReadFull reads until `buf` is full or end of file and returns the number of
// bytes read: buf.size(), or fewer only at end of file. It retries on EINTR
// and, on a non-blocking descriptor, waits with poll(2) for more input. On an
// error it returns that error; bytes already read are then lost to the caller.
absl::StatusOr<size_t> ReadFull(int fd, absl::Span<char> buf,
                                absl::string_view context = "read");

// WriteAll writes every byte of `data`, continuing after short writes,
// retrying on EINTR and, on a non-blocking descriptor, waiting with poll(2)
// until it is writable. It returns OK when all bytes are written, or the
// first error (for example "write: Broken pipe" with SIGPIPE ignored).
absl::Status WriteAll(int fd, absl::string_view data, absl::string_view context = "write");

// ReadToEnd reads until end of file and returns everything read, or the
// first error.
absl::StatusOr<std::string> ReadToEnd(int fd, absl::string_view context = "read");

// ReadFile is the one way a tool reads a whole file: it returns the
// contents of `path` ("-" is stdin), or the error named by `context` when
// given ("--policy-file p.json: No such file or directory"), else by the
// step that failed ("open /x: No such file or directory", "read /d: Is a
// directory"), with errno's code (kNotFound for ENOENT).
absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view context = "");

// SetNonBlocking turns O_NONBLOCK on or off for `fd`, or returns the fcntl(2)
// error.
absl::Status SetNonBlocking(int fd, bool on);

// SetCloseOnExec turns FD_CLOEXEC on or off for `fd`, or returns the fcntl(2)
// error.
absl::Status SetCloseOnExec(int fd, bool on);

// IsNonBlocking reports whether O_NONBLOCK is set on `fd`, or the fcntl(2) error.
absl::StatusOr<bool> IsNonBlocking(int fd);

// WriteFileAtomically writes `contents` to a temporary file next to `path`
// and renames it over `path`, so a reader sees the old file or the whole new
// one, never a part. It returns OK or the failure: "write /x/port: ...".
absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents);

// EnsureStandardFds opens /dev/null on any of descriptors 0, 1 and 2 that is
// closed, so that no socket or file a tool opens later lands on them, and
// returns OK, or the open(2) error. Tools call it first thing in main.
absl::Status EnsureStandardFds();

// Pipe is the two ends of a pipe(2).
struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

// MakePipe returns a new pipe whose ends have `flags` (pipe2(2) flags:
// O_CLOEXEC, O_NONBLOCK), or the pipe2(2) error.
absl::StatusOr<Pipe> MakePipe(int flags = O_CLOEXEC);

}  // namespace ipckit::io

#endif  // IPCKIT_LIB_IO_FD_H_
