#include "lib/io/eintr.h"

#include <errno.h>

#include "gtest/gtest.h"

namespace ipckit::io {
namespace {

TEST(EintrTest, RetryEintrCallsAgainOnlyWhileInterrupted) {
  int calls = 0;
  int r = RetryEintr([&] {
    ++calls;
    errno = calls < 3 ? EINTR : 0;
    return calls < 3 ? -1 : 7;
  });
  EXPECT_EQ(r, 7);
  EXPECT_EQ(calls, 3);
  calls = 0;
  r = RetryEintr([&] {
    ++calls;
    errno = EBADF;
    return -1;
  });
  EXPECT_EQ(r, -1);
  EXPECT_EQ(errno, EBADF);
  EXPECT_EQ(calls, 1);
}

TEST(EintrTest, WouldBlockIsEagainOrEintr) {
  EXPECT_TRUE(WouldBlock(EAGAIN));
  EXPECT_TRUE(WouldBlock(EWOULDBLOCK));
  EXPECT_TRUE(WouldBlock(EINTR));
  EXPECT_FALSE(WouldBlock(ECONNRESET));
  EXPECT_FALSE(WouldBlock(0));
}

}  // namespace
}  // namespace ipckit::io
