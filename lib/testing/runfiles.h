// runfiles.h finds files a test declared in `data`, such as the tool binary it
// runs end to end, in Bazel's runfiles tree.
//
// Example (BUILD: data = ["//tools/echod"]):
//
//   absl::StatusOr<std::string> echod = ipckit::testing::Runfile("tools/echod/echod");
//   ASSERT_THAT(echod, IsOk());
//
// Threads: test helpers: any thread.
#ifndef IPCKIT_LIB_TESTING_RUNFILES_H_
#define IPCKIT_LIB_TESTING_RUNFILES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipckit::testing {

// Runfile returns the absolute path of `path` (relative to the workspace root,
// e.g. "tools/nc/nc"; "@repo/x" for another repository) in the runfiles tree
// of the running test ($TEST_SRCDIR, else $RUNFILES_DIR), or kNotFound:
// "runfile tools/nc/nc not found (looked in /.../ipckit/tools/nc/nc)" when it
// is missing, or kFailedPrecondition when no runfiles tree is known.
absl::StatusOr<std::string> Runfile(absl::string_view path);

}  // namespace ipckit::testing

#endif  // IPCKIT_LIB_TESTING_RUNFILES_H_
