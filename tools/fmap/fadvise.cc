#include "tools/fmap/fadvise.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "lib/io/unique_fd.h"
#include "tools/fmap/pages.h"

namespace ipckit::fmap {

// FadviseWholeFile gives posix_fadvise `advice` for all of `file`, after
// writing its dirty pages out when asked (DONTNEED drops only clean pages).
// An fadvise error reads "VERB FILE: <strerror>".
absl::Status FadviseWholeFile(const std::string& file, int advice, bool write_out_first, const char* verb,
                              const std::vector<mmap::PageRun>* pages) {
  absl::Status cacheable = mmap::CheckCacheable(file);  // A FIFO would block open(2).
  if (!cacheable.ok()) return cacheable;
  io::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return absl::ErrnoToStatus(errno, absl::StrCat("open ", file));
  // EINVAL: a file with nothing to sync.
  if (write_out_first && ::fdatasync(fd.get()) != 0 && errno != EINVAL) {
    return absl::ErrnoToStatus(errno, absl::StrCat("sync ", file));
  }
  std::vector<ByteRange> ranges = {{0, 0}};  // posix_fadvise: length 0 is to the end.
  if (pages != nullptr) {
    const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    ranges.clear();
    for (const mmap::PageRun& r : *pages) ranges.push_back({r.first * page, r.count * page});
  }
  for (const ByteRange& r : ranges) {
    int rc = ::posix_fadvise(fd.get(), static_cast<off_t>(r.offset), static_cast<off_t>(r.length), advice);
    if (rc != 0) return absl::ErrnoToStatus(rc, absl::StrCat(verb, " ", file));
  }
  return absl::OkStatus();
}

}  // namespace ipckit::fmap
