#include "lib/testing/runfiles.h"

#include <stdlib.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ipckit::testing {

absl::StatusOr<std::string> Runfile(absl::string_view path) {
  const char* root = ::getenv("TEST_SRCDIR");
  if (root == nullptr || *root == '\0') root = ::getenv("RUNFILES_DIR");
  if (root == nullptr || *root == '\0') {
    return absl::FailedPreconditionError(
        absl::StrCat("runfile ", path, ": neither TEST_SRCDIR nor RUNFILES_DIR is set"));
  }
  std::string full;
  if (absl::StartsWith(path, "@")) {
    full = absl::StrCat(root, "/", path.substr(1));
  } else {
    const char* workspace = ::getenv("TEST_WORKSPACE");
    full = absl::StrCat(root, "/", workspace != nullptr && *workspace != '\0' ? workspace : "ipckit",
                        "/", path);
  }
  if (::access(full.c_str(), F_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("runfile ", path, " not found (looked in ", full, ")"));
  }
  return full;
}

}  // namespace ipckit::testing
