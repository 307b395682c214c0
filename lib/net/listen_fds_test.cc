#include "lib/net/listen_fds.h"

#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ipckit::net {
namespace {

TEST(ListenFdsTest, ReturnsFdsFromThreeWhenThePidIsOurs) {
  ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
  ::setenv("LISTEN_FDS", "2", 1);
  ::setenv("LISTEN_FDNAMES", "a:b", 1);
  EXPECT_THAT(ListenFds(), ::testing::ElementsAre(3, 4));
  EXPECT_EQ(::getenv("LISTEN_PID"), nullptr);
  EXPECT_EQ(::getenv("LISTEN_FDS"), nullptr);
  EXPECT_EQ(::getenv("LISTEN_FDNAMES"), nullptr);
}

TEST(ListenFdsTest, IgnoresAnotherProcesssFds) {
  ::setenv("LISTEN_PID", std::to_string(::getpid() + 1).c_str(), 1);
  ::setenv("LISTEN_FDS", "2", 1);
  EXPECT_TRUE(ListenFds().empty());
  EXPECT_EQ(::getenv("LISTEN_FDS"), nullptr);  // Unset all the same: they are not for children either.
}

TEST(ListenFdsTest, IgnoresGarbage) {
  ::setenv("LISTEN_PID", "x", 1);
  ::setenv("LISTEN_FDS", "-1", 1);
  EXPECT_TRUE(ListenFds().empty());
}

}  // namespace
}  // namespace ipckit::net
