// file_list.h: the files a fmap command works on, from its arguments, as
// vmtouch and grep -r take them: directories walked with -r, more names
// from --files-from (one a line, or NUL-separated with -0).
//
// Threads: any thread (ExpandFiles reads the file system and stdin).
#ifndef IPCKIT_TOOLS_FMAP_FILE_LIST_H_
#define IPCKIT_TOOLS_FMAP_FILE_LIST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ipckit::fmap {

struct FileListOptions {
  bool recursive = false;  // -r: walk directories.
  std::string files_from;  // --files-from FILE ("-": stdin).
  bool null_separated = false;  // -0: --files-from names end with NUL.
};

// ExpandFiles returns the files named by `args` and --files-from, in order:
// a directory (with -r) becomes the regular files below it, sorted by path,
// symbolic links inside it not followed; "-" stays (stdin). What a walk
// leaves out (links, FIFOs, sockets, devices) is listed in *skipped, when
// given, as vmtouch warns of each: "d/fifo: a FIFO". It returns
// kInvalidArgument for a directory without -r ("d: Is a directory (give -r
// to go through it)"), the error reading --files-from or a directory, and
// kInvalidArgument "no files" when nothing is left.
absl::StatusOr<std::vector<std::string>> ExpandFiles(const std::vector<std::string>& args, const FileListOptions& o,
                                                     std::vector<std::string>* skipped = nullptr);

}  // namespace ipckit::fmap

#endif  // IPCKIT_TOOLS_FMAP_FILE_LIST_H_
