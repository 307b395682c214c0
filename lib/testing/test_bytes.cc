#include "lib/testing/test_bytes.h"

namespace ipckit::testing {

std::string TestBytes(size_t n, uint64_t seed) {
  std::string s(n, '\0');
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 88172645463325252ull;  // Never 0, xorshift's fixed point.
  if (x == 0) x = 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s[i] = static_cast<char>(x);
  }
  return s;
}

}  // namespace ipckit::testing
