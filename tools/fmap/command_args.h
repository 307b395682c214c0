// command_args.h: the arguments fmap's commands share, each declared on a
// Parser once, checked and parsed into a sub-plan without touching the file
// system (Validate), and turned into what a run needs by the run (Load):
//   FilesArgs  FILE... with -r, --files-from FILE and -0 (file_list.h)
//   PagesArgs  --pages A-B[,C-D] or --pages-from FILE (pages.h)
//   BytesArgs  --string S, --hex HEX or a file's bytes (find's pattern,
//              write's data)
//
// Threads: any one thread.
#ifndef IPCKIT_TOOLS_FMAP_COMMAND_ARGS_H_
#define IPCKIT_TOOLS_FMAP_COMMAND_ARGS_H_

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/cli/options.h"
#include "lib/mmap/residency.h"
#include "tools/fmap/file_list.h"

namespace ipckit::fmap {

// FilesArgs are FILE... and -r, --files-from, -0; `args` is what the parse
// leaves over.
struct FilesArgs {
  std::vector<std::string> args;
  FileListOptions list;

  // Declare declares -r, --files-from and -0 on `p`.
  void Declare(cli::Parser& p);
  // Validate returns kInvalidArgument "missing FILE" when no file is named.
  absl::Status Validate() const;
  // Load expands the files (directories with -r, --files-from read),
  // writing "TOOL: skipping F: a FIFO" to `err` for each left out, or
  // returns ExpandFiles' error.
  absl::StatusOr<std::vector<std::string>> Load(absl::string_view tool, std::ostream& err) const;
};

// PagesArgs are --pages and --pages-from.
struct PagesArgs {
  std::optional<std::string> pages_text, pages_from;  // As given.
  std::optional<std::vector<mmap::PageRun>> pages;    // --pages, parsed by Validate.

  void Declare(cli::Parser& p);
  // Validate parses --pages, or returns kInvalidArgument "--pages and
  // --pages-from conflict" or ParsePages' error.
  absl::Status Validate();
  // Load returns the pages (nullopt: whole files), reading --pages-from:
  // "--pages-from F: No such file or directory", ParseRangesOutput's error.
  absl::StatusOr<std::optional<std::vector<mmap::PageRun>>> Load() const;
};

// BytesArgs are --string, --hex and a file flag (find's --pattern-file,
// write's --from): exactly one of them.
struct BytesArgs {
  std::optional<std::string> text, hex, file;  // As given.
  std::string bytes;                           // --string's or --hex's, set by Validate,
  std::string mask;                            // and --hex's wildcards: per byte the bits that count.

  // Declare declares --string, --hex (with `hex_help`) and `file_flag` (with
  // `file_help`) on `p`.
  void Declare(cli::Parser& p, const char* hex_help, const char* file_flag, const char* file_help);
  // Validate checks that exactly one was given and decodes --hex (with
  // `wildcards`, bgrep's '?' digits too, into `mask`), or returns
  // kInvalidArgument "give exactly one of --string, --hex and --from" or
  // ParseHex's error.
  absl::Status Validate(const char* file_flag, bool wildcards = false);
  // Load returns the bytes: --string's, --hex's, or the file's (io::ReadFile's
  // error for one that cannot be read).
  absl::StatusOr<std::string> Load() const;
};

// WithFiles returns `plan` with `args` as its files (plan.files), checked
// as FilesArgs::Validate does.
template <typename Plan>
absl::StatusOr<Plan> WithFiles(Plan plan, const std::vector<std::string>& args) {
  plan.files.args = args;
  if (absl::Status s = plan.files.Validate(); !s.ok()) return s;
  return plan;
}

// WithFilesAndPages is WithFiles for a plan with pages (plan.pages) too,
// --pages parsed.
template <typename Plan>
absl::StatusOr<Plan> WithFilesAndPages(Plan plan, const std::vector<std::string>& args) {
  absl::StatusOr<Plan> checked = WithFiles(std::move(plan), args);
  if (!checked.ok()) return checked;
  if (absl::Status s = checked->pages.Validate(); !s.ok()) return s;
  return checked;
}

// FilesAndPages are what a run loads of FilesArgs and PagesArgs.
struct FilesAndPages {
  std::vector<std::string> files;
  std::optional<std::vector<mmap::PageRun>> pages;
};

// LoadFilesAndPages loads both (FilesArgs::Load, PagesArgs::Load), or
// returns the first error.
absl::StatusOr<FilesAndPages> LoadFilesAndPages(const FilesArgs& files, const PagesArgs& pages, absl::string_view tool,
                                                std::ostream& err);

// EachFile loads `files` (warnings to `err`) and runs `one` on each in
// turn; it returns OK, or the first error.
absl::Status EachFile(const FilesArgs& files, absl::string_view tool, std::ostream& err,
                             const std::function<absl::Status(const std::string&)>& one);

}  // namespace ipckit::fmap

#endif  // IPCKIT_TOOLS_FMAP_COMMAND_ARGS_H_
