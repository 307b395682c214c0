// find.h searches a MappedFile for a byte pattern (any bytes, newlines and
// NULs included), finding matches that span window boundaries too.
//
// Example:
//
//   FindOptions o;
//   o.overlap = false;
//   absl::Status s = Find(file, "needle", o, [](uint64_t offset) { ...; return true; });
//   absl::StatusOr<std::optional<uint64_t>> last = RFind(file, "needle");
//
// Threads: pure searches over bytes the caller holds: any thread.
#ifndef IPCKIT_LIB_MMAP_FIND_H_
#define IPCKIT_LIB_MMAP_FIND_H_

#include <stdint.h>

#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/mmap/mapped_file.h"

namespace ipckit::mmap {

struct FindOptions {
  bool overlap = true;  // "aa" in "aaa" at 0 and 1 (false: only 0).
  uint64_t offset = 0;  // Search from here...
  uint64_t length = MappedFile::kUnbounded;  // ...for this many bytes.
  // progress, if set, is called with the file offset reached after each
  // window (for a progress line).
  std::function<void(uint64_t)> progress;
  // mask, when not empty, has one byte per pattern byte: only its set bits
  // are compared (0xff exact, 0x00 any byte, 0xf0 the high nibble), as
  // bgrep's "??" wildcards.
  std::string mask;
};

// Find calls `on_match` with each match's offset, ascending, until it
// returns false; it returns OK or the error reading the file. An empty
// pattern is kInvalidArgument "empty pattern"; a mask of another length,
// "mask and pattern differ in length".
absl::Status Find(const MappedFile& file, absl::string_view pattern, const FindOptions& options,
                  const std::function<bool(uint64_t)>& on_match);

// RFind returns the offset of the last match (overlapping matches count)
// in [offset, offset+length), or nullopt if there is none, or the error
// reading the file. A mapped file is searched a window at a time from the
// end, so a match near the end costs one window, not the whole file;
// streamed input is read to its end. An empty pattern is kInvalidArgument
// "empty pattern".
absl::StatusOr<std::optional<uint64_t>> RFind(const MappedFile& file, absl::string_view pattern,
                                              uint64_t offset = 0,
                                              uint64_t length = MappedFile::kUnbounded,
                                              absl::string_view mask = {});

}  // namespace ipckit::mmap

#endif  // IPCKIT_LIB_MMAP_FIND_H_
