#include "lib/testing/wait_for_file.h"

#include <fstream>

#include "absl/strings/str_cat.h"

namespace ipckit::testing {

absl::StatusOr<std::string> WaitForFirstLine(const std::string& path, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    std::ifstream f(path);
    std::string line;
    if (std::getline(f, line) && !line.empty()) return line;
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("no line in ", path, " within ", absl::FormatDuration(timeout)));
    }
    absl::SleepFor(absl::Milliseconds(5));  // A poll interval, bounded by the deadline.
  }
}

}  // namespace ipckit::testing
