#include "lib/testing/test_bytes.h"

#include <set>

#include "gtest/gtest.h"

namespace ipckit::testing {
namespace {

TEST(TestBytesTest, SameSeedSameBytes) {
  EXPECT_EQ(TestBytes(1000, 7), TestBytes(1000, 7));
  EXPECT_EQ(TestBytes(10, 7), TestBytes(1000, 7).substr(0, 10));
  EXPECT_EQ(TestBytes(0, 7), "");
}

TEST(TestBytesTest, SeedsDifferAndBytesSpreadOut) {
  EXPECT_NE(TestBytes(64, 1), TestBytes(64, 2));
  std::string b = TestBytes(4096, 3);
  std::set<char> seen(b.begin(), b.end());
  EXPECT_EQ(seen.size(), 256u);  // Every byte value, so no byte-mangling bug hides.
}

}  // namespace
}  // namespace ipckit::testing
