#include "lib/testing/temp_dir.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace ipckit::testing {
namespace {

int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) {
  ::remove(path);
  return 0;
}

void RemoveTree(const std::string& path) {
  if (path.empty()) return;
  ::nftw(path.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
}

}  // namespace

std::string TestTmpDir() {
  // Room for "/ipckit-XXXXXX/" and a 32-byte socket name in sun_path (108).
  constexpr size_t kMaxBase = 60;
  for (const char* var : {"TEST_TMPDIR", "TMPDIR"}) {
    const char* v = ::getenv(var);
    if (v != nullptr && *v != '\0') return strlen(v) <= kMaxBase ? v : "/tmp";
  }
  return "/tmp";
}

absl::StatusOr<TempDir> TempDir::Create() {
  std::string tmpl = absl::StrCat(TestTmpDir(), "/ipckit-XXXXXX");
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    return absl::ErrnoToStatus(errno, absl::StrCat("mkdtemp ", tmpl));
  }
  return TempDir(std::string(buf.data()));
}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    RemoveTree(path_);
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

TempDir::~TempDir() { RemoveTree(path_); }

std::string TempDir::Path(absl::string_view name) const { return absl::StrCat(path_, "/", name); }

}  // namespace ipckit::testing
