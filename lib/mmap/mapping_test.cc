#include "lib/mmap/mapping.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "gtest/gtest.h"
#include "lib/io/fd.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::mmap {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;

// TempFile returns an open descriptor of an anonymous file (memfd) holding
// `data`: nothing on any file system.
int TempFile(const std::string& data) {
  int fd = ::memfd_create("mapping_test", MFD_CLOEXEC);
  EXPECT_GE(fd, 0);
  EXPECT_THAT(io::WriteAll(fd, data), IsOk());
  return fd;
}

std::string Contents(int fd, size_t n) {
  std::string s(n, '\0');
  EXPECT_EQ(::pread(fd, s.data(), n, 0), static_cast<ssize_t>(n));
  return s;
}

TEST(MappingTest, WritesReachTheFileAtAnyOffset) {
  int fd = TempFile(std::string(10000, '.'));
  MapOptions o;
  o.writable = true;
  absl::StatusOr<Mapping> m = Mapping::Map(fd, 5000, 7, o, "f");
  ASSERT_THAT(m, IsOk());
  EXPECT_EQ(m->size(), 7u);
  EXPECT_EQ(std::string(m->data(), 7), ".......");
  std::memcpy(m->data(), "NEEDLE!", 7);
  EXPECT_THAT(m->Sync(), IsOk());
  EXPECT_EQ(Contents(fd, 10000).substr(4999, 9), ".NEEDLE!.");
  ::close(fd);
}

TEST(MappingTest, ReadOnlyDescriptorCannotBeMappedWritable) {
  int fd = TempFile("abc");
  std::string self = "/proc/self/fd/" + std::to_string(fd);
  int ro = ::open(self.c_str(), O_RDONLY | O_CLOEXEC);
  MapOptions o;
  o.writable = true;
  EXPECT_THAT(Mapping::Map(ro, 0, 3, o, "ro"), StatusIs(absl::StatusCode::kPermissionDenied, "mmap ro: Permission denied"));
  EXPECT_THAT(Mapping::Map(ro, 0, 0, {}, "ro"), StatusIs(absl::StatusCode::kInvalidArgument, "mmap ro: nothing to map"));
  ::close(ro);
  ::close(fd);
}

TEST(MappingTest, LocksAndAdvises) {
  int fd = TempFile(std::string(8192, 'x'));
  MapOptions o;
  o.populate = true;
  absl::StatusOr<Mapping> m = Mapping::Map(fd, 0, 8192, o, "f");
  ASSERT_THAT(m, IsOk());
  EXPECT_THAT(m->Lock(), IsOk());  // Two pages fit any RLIMIT_MEMLOCK.
  EXPECT_THAT(m->Advise(MADV_WILLNEED, "advise f"), IsOk());
  EXPECT_THAT(m->Advise(-1, "advise f"), StatusIs(absl::StatusCode::kInvalidArgument, "advise f: Invalid argument"));
  Mapping moved = *std::move(m);
  EXPECT_EQ(moved.data()[8191], 'x');
  ::close(fd);
}

}  // namespace
}  // namespace ipckit::mmap
