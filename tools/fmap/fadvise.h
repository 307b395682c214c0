// fadvise.h: posix_fadvise over a whole file or some of its pages, shared by
// fmap advise (write.cc) and fmap evict (residency.cc).
//
// Threads: any; it touches only `file`.
#ifndef IPCKIT_TOOLS_FMAP_FADVISE_H_
#define IPCKIT_TOOLS_FMAP_FADVISE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "lib/mmap/residency.h"

namespace ipckit::fmap {

// FadviseWholeFile gives posix_fadvise `advice` for all of `file` (or for
// its `pages`, when given), after writing its dirty pages out when asked
// (DONTNEED drops only clean pages). A FIFO or device fails as
// mmap::CheckCacheable says; an fadvise error reads "VERB FILE: <strerror>".
absl::Status FadviseWholeFile(const std::string& file, int advice, bool write_out_first, const char* verb,
                              const std::vector<mmap::PageRun>* pages = nullptr);

}  // namespace ipckit::fmap

#endif  // IPCKIT_TOOLS_FMAP_FADVISE_H_
