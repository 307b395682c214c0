#include "lib/io/unique_fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::io {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;

bool IsOpen(int fd) { return ::fcntl(fd, F_GETFD) >= 0; }

int OpenDevNull() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

TEST(UniqueFdTest, DefaultOwnsNothing) {
  UniqueFd fd;
  EXPECT_EQ(fd.get(), -1);
  EXPECT_FALSE(fd);
}

TEST(UniqueFdTest, NegativeMeansNone) {
  UniqueFd fd(-7);
  EXPECT_EQ(fd.get(), -1);
}

TEST(UniqueFdTest, ClosesOnDestruction) {
  int raw = OpenDevNull();
  ASSERT_GE(raw, 0);
  { UniqueFd fd(raw); EXPECT_TRUE(fd); }
  EXPECT_FALSE(IsOpen(raw));
}

TEST(UniqueFdTest, MoveTransfersOwnership) {
  int raw = OpenDevNull();
  UniqueFd a(raw);
  UniqueFd b(std::move(a));
  EXPECT_EQ(a.get(), -1);  // NOLINT(bugprone-use-after-move): checking the moved-from state.
  EXPECT_EQ(b.get(), raw);
  UniqueFd c;
  c = std::move(b);
  EXPECT_EQ(c.get(), raw);
  EXPECT_TRUE(IsOpen(raw));
}

TEST(UniqueFdTest, MoveAssignClosesPreviousDescriptor) {
  int first = OpenDevNull();
  int second = OpenDevNull();
  UniqueFd a(first);
  a = UniqueFd(second);
  EXPECT_FALSE(IsOpen(first));
  EXPECT_TRUE(IsOpen(second));
}

TEST(UniqueFdTest, ReleaseDoesNotClose) {
  int raw = OpenDevNull();
  {
    UniqueFd fd(raw);
    EXPECT_EQ(fd.release(), raw);
    EXPECT_FALSE(fd);
  }
  EXPECT_TRUE(IsOpen(raw));
  ::close(raw);
}

TEST(UniqueFdTest, ResetClosesAndAdopts) {
  int first = OpenDevNull();
  int second = OpenDevNull();
  UniqueFd fd(first);
  fd.reset(second);
  EXPECT_FALSE(IsOpen(first));
  EXPECT_EQ(fd.get(), second);
  fd.reset();
  EXPECT_FALSE(IsOpen(second));
}

TEST(UniqueFdTest, ResetToSameDescriptorKeepsItOpen) {
  int raw = OpenDevNull();
  UniqueFd fd(raw);
  fd.reset(raw);
  EXPECT_TRUE(IsOpen(raw));
}

TEST(UniqueFdTest, CloseReportsSuccess) {
  int raw = OpenDevNull();
  UniqueFd fd(raw);
  EXPECT_THAT(fd.Close(), IsOk());
  EXPECT_FALSE(fd);
  EXPECT_FALSE(IsOpen(raw));
  EXPECT_THAT(fd.Close(), IsOk());  // Closing nothing is fine.
}

TEST(UniqueFdTest, CloseReportsBadDescriptor) {
  int raw = OpenDevNull();
  ::close(raw);  // Someone else closed it behind our back.
  UniqueFd fd(raw);
  EXPECT_THAT(fd.Close(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                   "close: Bad file descriptor"));
}

}  // namespace
}  // namespace ipckit::io
