#include "lib/io/io_buffer.h"

#include <stdint.h>

#include <cstring>
#include <utility>

#include "gtest/gtest.h"

namespace ipckit::io {
namespace {

TEST(IoBufferTest, StartsHalfAPageIntoAPage) {
  for (size_t size : {size_t{1}, size_t{2048}, size_t{4096}, size_t{65536}, size_t{65537}}) {
    IoBuffer b(size);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b.data()) % 4096, IoBuffer::kOffset) << size;
    EXPECT_EQ(b.size(), size);
    std::memset(b.data(), 'x', b.size());  // All of it is writable (ASan checks).
  }
}

TEST(IoBufferTest, MovesOwnership) {
  IoBuffer a(100);
  char* p = a.data();
  IoBuffer b(std::move(a));
  EXPECT_EQ(b.data(), p);
  b.data()[99] = 'y';
}

}  // namespace
}  // namespace ipckit::io
