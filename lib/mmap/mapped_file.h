// MappedFile reads a file through mmap(2) in bounded windows, so files larger
// than memory (and than 4 GiB) are read with bounded address space and RSS.
// Descriptors that cannot be mapped -- pipes, stdin, terminals, /proc files,
// which report size 0 -- are read with read(2) instead, through the same
// interface. Block devices are sized with BLKGETSIZE64 and mapped. Mappings
// are read-only; an empty file is valid and maps nothing.
//
// Example:
//
//   absl::StatusOr<MappedFile> f = MappedFile::Open("big.bin");
//   absl::Status s = f->ForEachChunk(0, f->size(), [](uint64_t off, absl::string_view data) {
//     ... return true;  // false stops early
//   });
//
// Threads: a MappedFile is used by one thread at a time; SigbusGuard
// (sigbus_guard.h) protects reads on the thread that holds it.
#ifndef IPCKIT_LIB_MMAP_MAPPED_FILE_H_
#define IPCKIT_LIB_MMAP_MAPPED_FILE_H_

#include <stdint.h>

#include <functional>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/io/unique_fd.h"

namespace ipckit::mmap {

class MappedFile {
 public:
  // kWindow is the largest mapping read at once; ForEachChunk holds two (the
  // one being read and the next, being mapped).
  static constexpr uint64_t kWindow = uint64_t{64} << 20;
  // kUnbounded as a length means "to the end".
  static constexpr uint64_t kUnbounded = std::numeric_limits<uint64_t>::max();

  // Open opens `path` ("-" is stdin) for reading, or returns the open(2) or
  // fstat(2) error: "open x: No such file or directory".
  static absl::StatusOr<MappedFile> Open(const std::string& path);

  MappedFile(MappedFile&&) = default;
  MappedFile& operator=(MappedFile&&) = default;

  const std::string& path() const { return path_; }
  // size returns the file's size, or 0 for streamed input (unknown).
  uint64_t size() const { return size_; }
  // streamed reports whether the input is read with read(2), not mapped.
  bool streamed() const { return streamed_; }
  // block_device reports whether the input is a block device.
  bool block_device() const { return block_device_; }
  int fd() const { return fd_.get(); }

  using ChunkFn = std::function<bool(uint64_t offset, absl::string_view data)>;

  // ForEachChunk calls `fn` with consecutive pieces of [offset, offset+length)
  // (clipped to the end of the file) and their offsets, until `fn` returns
  // false or the range ends. It returns OK, or the error that stopped it:
  // "x: file shrank from N to M bytes while being read", or a read error.
  // A shrink during a call to `fn` never crashes (SigbusGuard): the vanished
  // bytes read as zeros, and the error follows that call.
  absl::Status ForEachChunk(uint64_t offset, uint64_t length, const ChunkFn& fn) const;

 private:
  MappedFile() = default;
  absl::Status Streamed(uint64_t offset, uint64_t length, const ChunkFn& fn) const;

  std::string path_;
  io::UniqueFd fd_;
  uint64_t size_ = 0;
  bool streamed_ = false;
  bool block_device_ = false;  // Sized with BLKGETSIZE64; st_size means nothing.
};

}  // namespace ipckit::mmap

#endif  // IPCKIT_LIB_MMAP_MAPPED_FILE_H_
