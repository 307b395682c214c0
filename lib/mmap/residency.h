// Residency counts a file's pages in the page cache, and optionally where
// they are, without reading the file: with cachestat(2) where the kernel has
// it (Linux 6.5+), else mincore(2) over unpopulated mappings. Since Linux 5.0,
// mincore reports every page of a file the caller may not write as resident;
// for such a file, without cachestat, the answer is "unknown" (known = false),
// never a made-up 100%.
//
// Example:
//
//   ResidencyOptions o;
//   o.runs = true;
//   absl::StatusOr<Residency> r = GetResidency("big.bin", o);
//   if (r.ok() && r->known) {
//     printf("%llu of %llu pages\n", r->resident, r->pages);
//     for (const PageRun& run : r->runs) ...;  // [run.first, run.first + run.count)
//   }
//
// Threads: any thread; each call opens, maps or advises only the file it is
// given.
#ifndef IPCKIT_LIB_MMAP_RESIDENCY_H_
#define IPCKIT_LIB_MMAP_RESIDENCY_H_

#include <stdint.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/mmap/mapped_file.h"

namespace ipckit::mmap {

// PageRun is a run of consecutive resident pages: [first, first + count).
struct PageRun {
  uint64_t first = 0;
  uint64_t count = 0;
  bool operator==(const PageRun& o) const { return first == o.first && count == o.count; }
};

struct ResidencyOptions {
  bool runs = false;            // Also list the resident runs.
  bool use_cachestat = true;    // false: mincore only (tests compare the two).
};

struct Residency {
  uint64_t page_size = 0;
  uint64_t size = 0;            // The file's size in bytes.
  uint64_t pages = 0;           // Pages in the file (the last one partial).
  uint64_t resident = 0;        // Of those, in the page cache (when known).
  uint64_t resident_bytes = 0;  // The file's bytes in those pages (exact).
  bool known = true;            // false: the kernel would not tell the truth.
  const char* method = "";      // "cachestat" or "mincore".
  std::vector<PageRun> runs;    // In order, merged; only with options.runs.
};

// CheckCacheable returns OK if `path` (symbolic links followed) is a
// regular file or a block device, the things with a page cache; else the
// stat(2) error, worded as open's ("open x: No such file or directory"), or
// kFailedPrecondition "x: not a regular file or block device (a FIFO)". It
// opens nothing, so a FIFO without a writer cannot block it.
absl::Status CheckCacheable(const std::string& path);

// GetResidency reports how much of `path` (a regular file or block device)
// is in the page cache. It checks `path` with CheckCacheable before opening
// it, and returns that error, the open(2)/mmap(2) error ("open x: No such
// file or directory"), or kFailedPrecondition "x: not a regular file or
// block device" for /proc files.
absl::StatusOr<Residency> GetResidency(const std::string& path, const ResidencyOptions& options = {});

// GetResidency reports on a file already open, as above.
absl::StatusOr<Residency> GetResidency(const MappedFile& file, const ResidencyOptions& options = {});

}  // namespace ipckit::mmap

#endif  // IPCKIT_LIB_MMAP_RESIDENCY_H_
