// TestBytes returns `n` pseudo-random bytes determined by `seed` (xorshift64),
// for tests that move data and check every byte arrived: different seeds
// give different streams, the same seed the same one. Not for secrets.
//
// Example:
//
//   const std::string data = TestBytes(8 << 20, /*seed=*/1);
//   ... send data through the tool, read `got` back ...
//   EXPECT_TRUE(got == data);
//
// Threads: pure functions: any thread.
#ifndef IPCKIT_LIB_TESTING_TEST_BYTES_H_
#define IPCKIT_LIB_TESTING_TEST_BYTES_H_

#include <stddef.h>
#include <stdint.h>

#include <string>

namespace ipckit::testing {

std::string TestBytes(size_t n, uint64_t seed = 0);

}  // namespace ipckit::testing

#endif  // IPCKIT_LIB_TESTING_TEST_BYTES_H_
