#include "lib/testing/temp_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::testing {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

TEST(TempDirTest, CreatesDirectoryUnderTestTmpDir) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  EXPECT_TRUE(absl::StartsWith(dir->path(), TestTmpDir() + "/ipckit-")) << dir->path();
  struct stat st;
  ASSERT_EQ(::stat(dir->path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(dir->Path("x.sock"), dir->path() + "/x.sock");
}

TEST(TempDirTest, TestTmpDirIsBazelsUnlessTooLongForSockets) {
  const char* bazel = ::getenv("TEST_TMPDIR");
  ASSERT_NE(bazel, nullptr) << "run this under bazel test";
  EXPECT_EQ(TestTmpDir(), strlen(bazel) <= 60 ? std::string(bazel) : "/tmp");
}

TEST(TempDirTest, PathsFitUnixSockets) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  EXPECT_LE(dir->Path("a-socket-name-of-32-characters!!").size(), 107u);
}

TEST(TempDirTest, TwoDirectoriesDiffer) {
  absl::StatusOr<TempDir> a = TempDir::Create();
  absl::StatusOr<TempDir> b = TempDir::Create();
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_NE(a->path(), b->path());
}

TEST(TempDirTest, DestructorRemovesEverything) {
  std::string path;
  {
    absl::StatusOr<TempDir> dir = TempDir::Create();
    ASSERT_THAT(dir, IsOk());
    path = dir->path();
    ASSERT_EQ(::mkdir(dir->Path("sub").c_str(), 0700), 0);
    int fd = ::open(dir->Path("sub/file").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    ::close(fd);
    ASSERT_EQ(::symlink("/", dir->Path("link").c_str()), 0);  // Not followed.
  }
  EXPECT_FALSE(Exists(path));
  EXPECT_TRUE(Exists("/"));
}

TEST(TempDirTest, MoveKeepsDirectoryAlive) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  std::string path = dir->path();
  TempDir moved = std::move(*dir);
  EXPECT_EQ(moved.path(), path);
  EXPECT_TRUE(Exists(path));
}

}  // namespace
}  // namespace ipckit::testing
