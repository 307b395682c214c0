// Two threads whose first act is to format an errno status. Under
// --config=tsan this failed ("data race ... base_internal::StrError") before
// //absl/status built Debian's lazy strerror table at start-up (absl.bzl's
// _WARM_STRERROR); in the other configs it checks the messages.
#include <cerrno>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace {

TEST(AbslStrErrorTest, FirstErrnoStatusOnTwoThreadsAtOnce) {
  std::string a, b;
  std::thread ta([&] { a = std::string(absl::ErrnoToStatus(ECONNREFUSED, "connect").message()); });
  std::thread tb([&] { b = std::string(absl::ErrnoToStatus(ENOENT, "open").message()); });
  ta.join();
  tb.join();
  EXPECT_EQ(a, "connect: Connection refused");
  EXPECT_EQ(b, "open: No such file or directory");
}

}  // namespace
