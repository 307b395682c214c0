// TempDir is a fresh, private directory for one test, under $TEST_TMPDIR when
// Bazel sets it (else $TMPDIR or /tmp), removed with its contents when the
// TempDir is destroyed. Unix socket paths and scratch files go here: when the
// test's directory is too long for a Unix socket path (108 bytes; Bazel's
// sandboxes make long ones), the directory is made under /tmp instead.
//
// Example:
//
//   absl::StatusOr<ipckit::testing::TempDir> dir = ipckit::testing::TempDir::Create();
//   ASSERT_THAT(dir, IsOk());
//   std::string sock = dir->Path("echo.sock");
//
// Threads: a TempDir is used by one thread at a time.
#ifndef IPCKIT_LIB_TESTING_TEMP_DIR_H_
#define IPCKIT_LIB_TESTING_TEMP_DIR_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipckit::testing {

class TempDir {
 public:
  // Create makes a new directory "ipckit-XXXXXX" under the test's temporary
  // directory and returns it, or the mkdtemp(3) error.
  static absl::StatusOr<TempDir> Create();

  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // ~TempDir removes the directory and everything below it, ignoring errors.
  ~TempDir();

  // path returns the directory's absolute path.
  const std::string& path() const { return path_; }

  // Path returns path()/name.
  std::string Path(absl::string_view name) const;

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// TestTmpDir returns $TEST_TMPDIR, else $TMPDIR, else "/tmp"; or "/tmp" when
// that is too long to hold Unix socket paths.
std::string TestTmpDir();

}  // namespace ipckit::testing

#endif  // IPCKIT_LIB_TESTING_TEMP_DIR_H_
