// Mapping owns one mmap(2) region of an open file, for what MappedFile's
// read-only windows do not do: writing through a shared mapping, locking
// pages in memory, syncing, and madvise(2) advice. fmap's write, lock and
// advise use it. Unmapping (and unlocking) happens when it is destroyed.
//
// Example:
//
//   MapOptions o;
//   o.writable = true;
//   absl::StatusOr<Mapping> m = Mapping::Map(fd, 5000000, 7, o, "data.bin");
//   if (!m.ok()) return m.status();            // "mmap data.bin: Permission denied"
//   memcpy(m->data(), "NEEDLE!", 7);
//   absl::Status s = m->Sync();                // msync(MS_SYNC)
//
// Threads: a Mapping is used by one thread at a time.
#ifndef IPCKIT_LIB_MMAP_MAPPING_H_
#define IPCKIT_LIB_MMAP_MAPPING_H_

#include <stddef.h>
#include <stdint.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipckit::mmap {

struct MapOptions {
  bool writable = false;  // PROT_WRITE on a MAP_SHARED mapping: writes reach the file.
  bool populate = false;  // MAP_POPULATE: read the pages in now.
};

class Mapping {
 public:
  // Map maps `length` bytes of `fd` from `offset` (any offset: the mapping
  // starts at the page before it, and data() points at `offset` itself), or
  // returns the mmap(2) error as "mmap NAME: <strerror>", NAME naming the
  // file in messages. A length of 0 is kInvalidArgument "mmap NAME: nothing
  // to map".
  static absl::StatusOr<Mapping> Map(int fd, uint64_t offset, size_t length, const MapOptions& options,
                                     absl::string_view name);

  Mapping(Mapping&& other) noexcept;
  Mapping& operator=(Mapping&& other) noexcept;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping();

  // data is the mapped byte at the offset given to Map; size is `length`.
  char* data() const { return base_ + lead_; }
  size_t size() const { return length_; }

  // Lock locks the pages in memory (mlock(2)) until the mapping is
  // destroyed, or returns the error with the limit that usually causes it:
  // "lock NAME (RLIMIT_MEMLOCK is 8388608 bytes; raise it with ulimit -l):
  // Cannot allocate memory".
  absl::Status Lock();

  // Sync writes the mapping's dirty pages to the file and waits
  // (msync MS_SYNC), or returns "msync NAME: <strerror>".
  absl::Status Sync();

  // Advise gives madvise(2) `advice` for the whole mapping, or returns the
  // error as "CONTEXT: <strerror>".
  absl::Status Advise(int advice, absl::string_view context);

 private:
  Mapping() = default;
  void Release();

  char* base_ = nullptr;  // Page-aligned start.
  size_t lead_ = 0;       // Bytes from base_ to the offset asked for.
  size_t length_ = 0;
  bool locked_ = false;
  std::string name_;
};

}  // namespace ipckit::mmap

#endif  // IPCKIT_LIB_MMAP_MAPPING_H_
