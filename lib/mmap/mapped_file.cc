#include "lib/mmap/mapped_file.h"

#include <linux/fs.h>
#include <sys/ioctl.h>

#include "lib/mmap/sigbus_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <future>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/io/fd.h"

namespace ipckit::mmap {

namespace {

// Window owns one read-only mapping of a file; move-only, unmapped by its
// destructor.
class Window {
 public:
  Window(void* p, size_t len) : p_(p), len_(len) {}
  Window(Window&& o) noexcept : p_(std::exchange(o.p_, nullptr)), len_(o.len_) {}
  Window& operator=(Window&& o) noexcept {
    if (this != &o) {
      if (p_ != nullptr) ::munmap(p_, len_);
      p_ = std::exchange(o.p_, nullptr);
      len_ = o.len_;
    }
    return *this;
  }
  ~Window() {
    if (p_ != nullptr) ::munmap(p_, len_);
  }
  const char* data() const { return static_cast<const char*>(p_); }

 private:
  void* p_;
  size_t len_;
};

// MapWindow maps `len` bytes of `fd` from `base` (page-aligned), with the
// cached pages already in the page tables (MAP_POPULATE: one call instead of
// a fault per page), or returns "mmap PATH: <strerror>".
absl::StatusOr<Window> MapWindow(int fd, uint64_t base, uint64_t len, const std::string& path) {
  void* p = ::mmap(nullptr, len, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, static_cast<off_t>(base));
  if (p == MAP_FAILED) return absl::ErrnoToStatus(errno, absl::StrCat("mmap ", path));
  // Read-ahead hint for what MAP_POPULATE did not bring in; a small window
  // is all in (a tree of small files saves a syscall per file).
  if (len > (uint64_t{256} << 10)) ::madvise(p, len, MADV_SEQUENTIAL);
  return Window(p, len);
}

}  // namespace

absl::StatusOr<MappedFile> MappedFile::Open(const std::string& path) {
  MappedFile f;
  f.path_ = path;
  if (path == "-") {
    f.fd_ = io::UniqueFd(::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3));
    f.path_ = "stdin";
  } else {
    f.fd_ = io::UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  }
  if (!f.fd_) return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
  struct stat st;
  if (::fstat(f.fd_.get(), &st) != 0) return absl::ErrnoToStatus(errno, absl::StrCat("stat ", path));
  if (S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat("open ", path, ": Is a directory"));
  }
  if (S_ISBLK(st.st_mode)) {
    // A block device's st_size is 0; its size comes from the driver, and it
    // maps like a file.
    uint64_t bytes = 0;
    if (::ioctl(f.fd_.get(), BLKGETSIZE64, &bytes) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("BLKGETSIZE64 ", path));
    }
    f.size_ = bytes;
    f.streamed_ = bytes == 0;
    f.block_device_ = true;
    return f;
  }
  // /proc and /sys files say size 0 but have content: read them.
  f.streamed_ = !S_ISREG(st.st_mode) || st.st_size == 0;
  f.size_ = S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0;
  return f;
}

absl::Status MappedFile::ForEachChunk(uint64_t offset, uint64_t length, const ChunkFn& fn) const {
  if (streamed_) return Streamed(offset, length, fn);
  uint64_t end = length > size_ - std::min(offset, size_) ? size_ : offset + length;
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  // While `fn` reads one window, the next is mapped and populated on another
  // thread: populating page tables costs about as much as scanning them.
  std::future<absl::StatusOr<Window>> next;
  for (uint64_t pos = offset; pos < end;) {
    // A file that shrank would fault (SIGBUS) past its new end: check first.
    struct stat st;
    if (!block_device_ && ::fstat(fd_.get(), &st) == 0 && static_cast<uint64_t>(st.st_size) < end) {
      return absl::DataLossError(absl::StrCat(path_, ": file shrank from ", size_, " to ",
                                              st.st_size, " bytes while being read"));
    }
    uint64_t base = pos / page * page;
    uint64_t map_len = std::min(kWindow, end - base);
    absl::StatusOr<Window> w = next.valid() ? next.get() : MapWindow(fd_.get(), base, map_len, path_);
    if (!w.ok()) return w.status();
    if (base + map_len < end) {
      next = std::async(std::launch::async, MapWindow, fd_.get(), base + map_len,
                        std::min(kWindow, end - base - map_len), path_);
    }
    absl::string_view data(w->data() + (pos - base), map_len - (pos - base));
    bool more;
    bool faulted;
    {
      // A truncation racing the reader inside this window reads as zeros
      // instead of killing the process; it is reported below.
      SigbusGuard guard(w->data(), map_len);
      more = fn(pos, data);
      faulted = guard.faulted();
    }
    if (faulted) {
      struct stat now;
      uint64_t new_size = ::fstat(fd_.get(), &now) == 0 ? static_cast<uint64_t>(now.st_size) : 0;
      if (new_size >= size_) {
        // It grew back before we looked: where it was short is unknown.
        return absl::DataLossError(absl::StrCat(path_, ": file shrank while being read and grew back to ", new_size,
                                                " bytes (what was read may not be the file's)"));
      }
      return absl::DataLossError(absl::StrCat(path_, ": file shrank from ", size_, " to ", new_size,
                                              " bytes while being read (what was read past ", new_size,
                                              " is not the file's)"));
    }
    if (!more) return absl::OkStatus();
    pos = base + map_len;
  }
  return absl::OkStatus();
}

absl::Status MappedFile::Streamed(uint64_t offset, uint64_t length, const ChunkFn& fn) const {
  std::vector<char> buf(1 << 20);
  uint64_t pos = 0;
  // Skip to `offset`: seek where possible, else read and discard.
  if (offset > 0 && ::lseek(fd_.get(), static_cast<off_t>(offset), SEEK_SET) >= 0) pos = offset;
  uint64_t end = length == kUnbounded ? kUnbounded : offset + length;
  while (pos < end) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), end - pos));
    absl::StatusOr<size_t> n = io::ReadFull(fd_.get(), absl::MakeSpan(buf.data(), want), absl::StrCat("read ", path_));
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    uint64_t chunk_start = pos;
    pos += *n;
    if (pos <= offset) continue;
    size_t skip = chunk_start < offset ? static_cast<size_t>(offset - chunk_start) : 0;
    if (!fn(chunk_start + skip, absl::string_view(buf.data() + skip, *n - skip))) break;
    if (*n < want) break;
  }
  return absl::OkStatus();
}

}  // namespace ipckit::mmap
