#include "lib/testing/wait_for_file.h"

#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/io/fd.h"
#include "lib/testing/status_matchers.h"
#include "lib/testing/temp_dir.h"

namespace ipckit::testing {
namespace {

TEST(WaitForFileTest, ReturnsTheFirstLineOnceWritten) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  std::string path = dir->Path("port");
  std::thread writer([&] { EXPECT_THAT(io::WriteFileAtomically(path, "40123\nsecond\n"), IsOk()); });
  EXPECT_THAT(WaitForFirstLine(path, absl::Seconds(10)), IsOkAndHolds("40123"));
  writer.join();
}

TEST(WaitForFileTest, TimesOut) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  std::string path = dir->Path("never");
  absl::Time start = absl::Now();
  EXPECT_THAT(WaitForFirstLine(path, absl::Milliseconds(50)),
              StatusIs(absl::StatusCode::kDeadlineExceeded, absl::StrCat("no line in ", path, " within 50ms")));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(50));
}

}  // namespace
}  // namespace ipckit::testing
