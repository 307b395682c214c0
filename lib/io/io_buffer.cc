#include "lib/io/io_buffer.h"

#include <cstdlib>
#include <new>

namespace ipckit::io {
namespace {

constexpr size_t kPage = 4096;

}  // namespace

IoBuffer::IoBuffer(size_t size) : size_(size) {
  size_t bytes = (kOffset + size + kPage - 1) / kPage * kPage;
  owner_.reset(static_cast<char*>(std::aligned_alloc(kPage, bytes)));
  if (owner_ == nullptr) throw std::bad_alloc();
  data_ = owner_.get() + kOffset;
}

void IoBuffer::Free::operator()(char* p) const { std::free(p); }

}  // namespace ipckit::io
