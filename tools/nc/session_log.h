// session_log.h: ncat's session logging for nc (--output, --hex-dump,
// --append-output): every byte that crosses the connection, both ways, in
// the order it moved, as raw bytes and/or as ncat's hex dump:
//
//   0000   68 65 6c 6c 6f 20 77 6f  72 6c 64 0a                 hello.world.
//
// (one block per read or write, offsets from 0000 in each block).
//
// Threads: a SessionLog may be written from the threads of -lk --exec's
// clients: each write is whole, under its lock.
#ifndef IPCKIT_TOOLS_NC_SESSION_LOG_H_
#define IPCKIT_TOOLS_NC_SESSION_LOG_H_

#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/io/unique_fd.h"
#include "lib/io/stream.h"

namespace ipckit::nc {

// SessionLog appends what crosses a connection to a raw file and/or a hex
// file. Record may be called from several threads (nc -lk --exec).
class SessionLog {
 public:
  // Open opens (creating, mode 0666 less umask) `raw` and `hex` (either may
  // be empty), truncating them unless `append`; it returns the open error
  // ("--output o.txt: Permission denied").
  static absl::StatusOr<std::unique_ptr<SessionLog>> Open(const std::string& raw,
                                                          const std::string& hex, bool append);

  // Record writes `data` to each file, or returns the first write error.
  absl::Status Record(absl::string_view data);

 private:
  SessionLog() = default;
  std::mutex mu_;
  io::UniqueFd raw_, hex_;
};

// LoggedStream passes every call through to `inner` and records the bytes
// that Read returned and Write took.
class LoggedStream : public io::ForwardingStream {
 public:
  LoggedStream(io::Stream* inner, SessionLog* log) : ForwardingStream(inner), log_(log) {}
  absl::StatusOr<size_t> Read(absl::Span<char> buf) override;
  absl::StatusOr<size_t> Write(absl::string_view data) override;

 private:
  SessionLog* log_;
};

}  // namespace ipckit::nc

#endif  // IPCKIT_TOOLS_NC_SESSION_LOG_H_
