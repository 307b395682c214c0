#include "lib/mmap/mapping.h"

#include <errno.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace ipckit::mmap {

absl::StatusOr<Mapping> Mapping::Map(int fd, uint64_t offset, size_t length, const MapOptions& options,
                                     absl::string_view name) {
  if (length == 0) return absl::InvalidArgumentError(absl::StrCat("mmap ", name, ": nothing to map"));
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  uint64_t base = offset / page * page;
  Mapping m;
  m.lead_ = static_cast<size_t>(offset - base);
  m.length_ = length;
  m.name_ = std::string(name);
  int prot = PROT_READ | (options.writable ? PROT_WRITE : 0);
  int flags = MAP_SHARED | (options.populate ? MAP_POPULATE : 0);
  void* p = ::mmap(nullptr, m.lead_ + length, prot, flags, fd, static_cast<off_t>(base));
  if (p == MAP_FAILED) return absl::ErrnoToStatus(errno, absl::StrCat("mmap ", name));
  m.base_ = static_cast<char*>(p);
  return m;
}

Mapping::Mapping(Mapping&& other) noexcept { *this = std::move(other); }

Mapping& Mapping::operator=(Mapping&& other) noexcept {
  if (this != &other) {
    Release();
    base_ = std::exchange(other.base_, nullptr);
    lead_ = other.lead_;
    length_ = other.length_;
    locked_ = std::exchange(other.locked_, false);
    name_ = std::move(other.name_);
  }
  return *this;
}

Mapping::~Mapping() { Release(); }

void Mapping::Release() {
  if (base_ == nullptr) return;
  if (locked_) ::munlock(base_, lead_ + length_);
  ::munmap(base_, lead_ + length_);
  base_ = nullptr;
  locked_ = false;
}

absl::Status Mapping::Lock() {
  if (::mlock(base_, lead_ + length_) != 0) {
    int err = errno;
    struct rlimit rl;
    ::getrlimit(RLIMIT_MEMLOCK, &rl);
    return absl::ErrnoToStatus(
        err, absl::StrCat("lock ", name_, " (RLIMIT_MEMLOCK is ",
                          rl.rlim_cur == RLIM_INFINITY ? std::string("unlimited") : absl::StrCat(rl.rlim_cur),
                          " bytes; raise it with ulimit -l)"));
  }
  locked_ = true;
  return absl::OkStatus();
}

absl::Status Mapping::Sync() {
  if (::msync(base_, lead_ + length_, MS_SYNC) != 0) return absl::ErrnoToStatus(errno, absl::StrCat("msync ", name_));
  return absl::OkStatus();
}

absl::Status Mapping::Advise(int advice, absl::string_view context) {
  if (::madvise(base_, lead_ + length_, advice) != 0) return absl::ErrnoToStatus(errno, context);
  return absl::OkStatus();
}

}  // namespace ipckit::mmap
