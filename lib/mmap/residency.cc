#include "lib/mmap/residency.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/mmap/mapped_file.h"

namespace ipckit::mmap {
namespace {

#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif

// The kernel's struct cachestat_range and struct cachestat (Linux 6.5).
struct CachestatRange {
  uint64_t off, len;
};
struct Cachestat {
  uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};

// CachedPages returns the number of cached pages in [off, off+len) of `fd`
// (len 0: to the end), or -1 with errno set (ENOSYS before Linux 6.5).
int64_t CachedPages(int fd, uint64_t off, uint64_t len) {
  CachestatRange range = {off, len};
  Cachestat cs = {};
  if (::syscall(__NR_cachestat, fd, &range, &cs, 0) != 0) return -1;
  return static_cast<int64_t>(cs.nr_cache);
}

bool KernelAtLeast(int major, int minor) {
  struct utsname u;
  if (::uname(&u) != 0) return false;
  int ma = 0, mi = 0;
  if (sscanf(u.release, "%d.%d", &ma, &mi) != 2) return false;
  return ma > major || (ma == major && mi >= minor);
}

// AddRun appends [first, first+count) to `runs`, merged with an adjacent last run.
void AddRun(std::vector<PageRun>* runs, uint64_t first, uint64_t count) {
  if (!runs->empty() && runs->back().first + runs->back().count == first) {
    runs->back().count += count;
  } else {
    runs->push_back(PageRun{first, count});
  }
}

// CachestatRuns finds the resident runs in pages [first, first+count) by
// halving every range that is neither wholly cached nor wholly absent: one
// call for a file cached in a few runs, about two per page at worst.
absl::Status CachestatRuns(int fd, const std::string& path, uint64_t page, uint64_t first, uint64_t count,
                           std::vector<PageRun>* runs) {
  int64_t n = CachedPages(fd, first * page, count * page);
  if (n < 0) return absl::ErrnoToStatus(errno, absl::StrCat("cachestat ", path));
  if (n == 0) return absl::OkStatus();
  if (static_cast<uint64_t>(n) >= count) {
    AddRun(runs, first, count);
    return absl::OkStatus();
  }
  uint64_t half = count / 2;
  absl::Status s = CachestatRuns(fd, path, page, first, half, runs);
  if (!s.ok()) return s;
  return CachestatRuns(fd, path, page, first + half, count - half, runs);
}

// MincoreResidency fills r->resident (and r->runs) with mincore(2), a window
// at a time. The windows are mapped without MAP_POPULATE: populating would
// read the file in and make every page resident.
absl::Status MincoreResidency(const MappedFile& m, bool want_runs, Residency* r, bool* last_resident) {
  std::vector<unsigned char> vec;
  for (uint64_t base = 0; base < m.size(); base += MappedFile::kWindow) {
    size_t len = static_cast<size_t>(std::min<uint64_t>(MappedFile::kWindow, m.size() - base));
    void* p = ::mmap(nullptr, len, PROT_READ, MAP_SHARED, m.fd(), static_cast<off_t>(base));
    if (p == MAP_FAILED) return absl::ErrnoToStatus(errno, absl::StrCat("mmap ", m.path()));
    vec.assign((len + r->page_size - 1) / r->page_size, 0);
    int rc = ::mincore(p, len, vec.data());
    int err = errno;
    ::munmap(p, len);
    if (rc != 0) return absl::ErrnoToStatus(err, absl::StrCat("mincore ", m.path()));
    const uint64_t first = base / r->page_size;
    for (size_t i = 0; i < vec.size(); ++i) {
      if ((vec[i] & 1) == 0) continue;
      ++r->resident;
      if (want_runs) AddRun(&r->runs, first + i, 1);
      if (first + i == r->pages - 1) *last_resident = true;
    }
  }
  return absl::OkStatus();
}

// SetResidentBytes counts the file's bytes in its resident pages: whole
// pages, but only the file's part of a resident last page.
void SetResidentBytes(bool last_resident, Residency* r) {
  r->resident_bytes = r->resident * r->page_size;
  if (last_resident && r->size % r->page_size != 0) r->resident_bytes -= r->page_size - r->size % r->page_size;
}

}  // namespace

absl::Status CheckCacheable(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
  if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) return absl::OkStatus();
  const char* kind = S_ISFIFO(st.st_mode)  ? "a FIFO"
                     : S_ISSOCK(st.st_mode) ? "a socket"
                     : S_ISCHR(st.st_mode)  ? "a character device"
                     : S_ISDIR(st.st_mode)  ? "a directory"
                                            : "of another kind";
  return absl::FailedPreconditionError(absl::StrCat(path, ": not a regular file or block device (", kind, ")"));
}

absl::StatusOr<Residency> GetResidency(const std::string& path, const ResidencyOptions& options) {
  if (path != "-") {
    absl::Status s = CheckCacheable(path);
    if (!s.ok()) return s;
  }
  absl::StatusOr<MappedFile> m = MappedFile::Open(path);
  if (!m.ok()) return m.status();
  return GetResidency(*m, options);
}

absl::StatusOr<Residency> GetResidency(const MappedFile& m, const ResidencyOptions& options) {
  const std::string& path = m.path();
  // An empty regular file (or a /proc file, which reports size 0 and has no
  // page cache) is streamed by MappedFile but has an answer here: no pages.
  struct stat st;
  if (::fstat(m.fd(), &st) != 0) return absl::ErrnoToStatus(errno, absl::StrCat("stat ", path));
  if (m.streamed() && !S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": not a regular file or block device"));
  }
  Residency r;
  r.page_size = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  r.size = m.size();
  r.pages = (r.size + r.page_size - 1) / r.page_size;
  if (options.use_cachestat) {
    int64_t n = CachedPages(m.fd(), 0, 0);
    if (n >= 0) {
      r.method = "cachestat";
      r.resident = std::min<uint64_t>(static_cast<uint64_t>(n), r.pages);
      if (options.runs && r.pages > 0) {
        absl::Status s = CachestatRuns(m.fd(), path, r.page_size, 0, r.pages, &r.runs);
        if (!s.ok()) return s;
      }
      bool last_resident = r.resident > 0 && CachedPages(m.fd(), (r.pages - 1) * r.page_size, r.page_size) > 0;
      SetResidentBytes(last_resident, &r);
      return r;
    }
    // ENOSYS before Linux 6.5, EOPNOTSUPP on hugetlbfs: mincore may still answer.
  }
  r.method = "mincore";
  if (KernelAtLeast(5, 0) && ::access(path.c_str(), W_OK) != 0) {
    r.known = false;  // mincore would report every page as resident.
    return r;
  }
  bool last_resident = false;
  absl::Status s = MincoreResidency(m, options.runs, &r, &last_resident);
  if (!s.ok()) return s;
  SetResidentBytes(last_resident, &r);
  return r;
}

}  // namespace ipckit::mmap
