// WaitForFirstLine waits for a file another process writes to signal
// readiness (a port file, a ready file) and returns its first line. It
// polls with a deadline, for tools whose readiness is a file by design.
//
// Example:
//
//   absl::StatusOr<std::string> port = WaitForFirstLine(dir->Path("port"), absl::Seconds(10));
#ifndef IPCKIT_LIB_TESTING_WAIT_FOR_FILE_H_
#define IPCKIT_LIB_TESTING_WAIT_FOR_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ipckit::testing {

// WaitForFirstLine returns the first line of `path` (without its '\n') once
// the file exists with a non-empty first line, or kDeadlineExceeded
// "no line in PATH within 10s".
absl::StatusOr<std::string> WaitForFirstLine(const std::string& path, absl::Duration timeout);

}  // namespace ipckit::testing

#endif  // IPCKIT_LIB_TESTING_WAIT_FOR_FILE_H_
