// find.h searches a MappedFile for a byte pattern (any bytes, newlines and
// NULs included), finding matches that span window boundaries too.
//
// Example:
//
//   FindOptions o;
//   o.overlap = false;
//   absl::Status s = Find(file, "needle", o, [](uint64_t offset) { ...; return true; });
#ifndef IPCKIT_LIB_MMAP_FIND_H_
#define IPCKIT_LIB_MMAP_FIND_H_

#include <stdint.h>

#include <functional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "lib/mmap/mapped_file.h"

namespace ipckit {

struct FindOptions {
  bool overlap = true;  // "aa" in "aaa" at 0 and 1 (false: only 0).
  uint64_t offset = 0;  // Search from here...
  uint64_t length = MappedFile::kUnbounded;  // ...for this many bytes.
  // progress, if set, is called with the file offset reached after each
  // window (for a progress line).
  std::function<void(uint64_t)> progress;
};

// Find calls `on_match` with each match's offset, ascending, until it
// returns false; it returns OK or the error reading the file. An empty
// pattern is kInvalidArgument "empty pattern".
absl::Status Find(const MappedFile& file, absl::string_view pattern, const FindOptions& options,
                  const std::function<bool(uint64_t)>& on_match);

}  // namespace ipckit

#endif  // IPCKIT_LIB_MMAP_FIND_H_
