// IoBuffer is a heap buffer for read(2)/recv(2)/send(2) that the kernel
// copies into and out of at full speed. Its data starts half a page into a
// page-aligned allocation, so the kernel's copies between it and socket
// buffers (page-aligned) never hit 4K aliasing, where loads and stores whose
// addresses agree in their low 12 bits stall each other. Measured on 64 KiB
// loopback streams (bench/README.md): 2.7 GB/s at this offset, 2.1 at offset
// 0, 1.4 at 16 or 64 -- and a plain `new char[]` lands wherever the heap's
// history puts it. Move-only; freed by its destructor.
//
// Example:
//
//   IoBuffer buf(64 * 1024);
//   ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
//
// Threads: an IoBuffer is used by one thread at a time (each worker owns its
// own).
#ifndef IPCKIT_LIB_IO_IO_BUFFER_H_
#define IPCKIT_LIB_IO_IO_BUFFER_H_

#include <stddef.h>

#include <memory>

namespace ipckit::io {

class IoBuffer {
 public:
  // kOffset is where data() starts within its page.
  static constexpr size_t kOffset = 2048;

  // IoBuffer allocates `size` bytes (aborting, like new, when memory is out).
  explicit IoBuffer(size_t size);

  char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(char* p) const;
  };
  std::unique_ptr<char, Free> owner_;
  char* data_;
  size_t size_;
};

}  // namespace ipckit::io

#endif  // IPCKIT_LIB_IO_IO_BUFFER_H_
