// pages.h: page ranges for fmap's --pages and --pages-from, so that touch,
// evict, lock and residency can work on part of a file, and what
// `residency --ranges` printed can be fed back in.
//
// Threads: pure parsing and arithmetic: any thread.
#ifndef IPCKIT_TOOLS_FMAP_PAGES_H_
#define IPCKIT_TOOLS_FMAP_PAGES_H_

#include <stdint.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/mmap/residency.h"

namespace ipckit::fmap {

// ParsePages parses "A-B[,C-D...]" (page numbers, inclusive; "A" alone is
// one page) into sorted, merged runs, or returns kInvalidArgument
// "--pages: expected A-B[,C-D...], got 'x'".
absl::StatusOr<std::vector<mmap::PageRun>> ParsePages(absl::string_view text);

// ParseRangesOutput reads the runs out of `fmap residency --ranges` output,
// text ("  0+8192 (pages 0-1)") or JSON ({"first_page":0,"pages":2}), other
// lines ignored; kInvalidArgument "--pages-from: no page ranges" if none.
absl::StatusOr<std::vector<mmap::PageRun>> ParseRangesOutput(absl::string_view text);

// ByteRange is where a run of pages lies in a file of `size` bytes:
// [offset, offset+length), clipped to the file (length 0 past its end).
struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};
ByteRange PageBytes(const mmap::PageRun& run, uint64_t page_size, uint64_t size);

// Count returns how many pages of `runs` (clipped to `pages` in the file)
// there are, and how many of them `resident` (a file's resident runs) holds.
std::pair<uint64_t, uint64_t> Count(const std::vector<mmap::PageRun>& runs, uint64_t pages,
                                    const std::vector<mmap::PageRun>& resident);

}  // namespace ipckit::fmap

#endif  // IPCKIT_TOOLS_FMAP_PAGES_H_
