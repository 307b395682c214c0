#include "tools/fmap/file_list.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/io/fd.h"
#include "lib/io/unique_fd.h"

namespace ipckit::fmap {
namespace {

// Kind names what a non-regular file is, for the skipped list.
const char* Kind(mode_t mode) {
  if (S_ISLNK(mode)) return "a symbolic link (not followed)";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

// Walk appends the regular files below `dir`, sorted, without following
// symbolic links; every other entry goes to *skipped, "PATH: a FIFO".
absl::Status Walk(const std::string& dir, std::vector<std::string>* out, std::vector<std::string>* skipped) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return absl::ErrnoToStatus(errno, absl::StrCat("open ", dir));
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    std::string path = dir.empty() || dir.back() == '/' ? dir + name : absl::StrCat(dir, "/", name);
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return absl::ErrnoToStatus(errno, absl::StrCat("stat ", path));
    if (S_ISDIR(st.st_mode)) {
      absl::Status s = Walk(path, out, skipped);
      if (!s.ok()) return s;
    } else if (S_ISREG(st.st_mode)) {
      out->push_back(path);
    } else if (skipped != nullptr) {
      skipped->push_back(absl::StrCat(path, ": ", Kind(st.st_mode)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ReadList(const FileListOptions& o) {
  absl::StatusOr<std::string> text = io::ReadFile(o.files_from, absl::StrCat("--files-from ", o.files_from));
  if (!text.ok()) return text.status();
  std::vector<std::string> names = absl::StrSplit(*text, o.null_separated ? '\0' : '\n', absl::SkipEmpty());
  return names;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ExpandFiles(const std::vector<std::string>& args, const FileListOptions& o,
                                                     std::vector<std::string>* skipped) {
  std::vector<std::string> names = args;
  if (!o.files_from.empty()) {
    absl::StatusOr<std::vector<std::string>> more = ReadList(o);
    if (!more.ok()) return more.status();
    names.insert(names.end(), more->begin(), more->end());
  }
  std::vector<std::string> out;
  for (const std::string& name : names) {
    struct stat st;
    if (name != "-" && ::stat(name.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      if (!o.recursive) return absl::InvalidArgumentError(absl::StrCat(name, ": Is a directory (give -r to go through it)"));
      absl::Status s = Walk(name, &out, skipped);
      if (!s.ok()) return s;
      continue;
    }
    out.push_back(name);  // Errors (no such file) come from the command, naming it.
  }
  if (out.empty()) return absl::InvalidArgumentError("no files");
  return out;
}

}  // namespace ipckit::fmap
