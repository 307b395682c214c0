#include "tools/fmap/command_args.h"

#include "absl/strings/str_cat.h"
#include "lib/io/fd.h"
#include "tools/fmap/fmap.h"
#include "tools/fmap/pages.h"

namespace ipckit::fmap {

void FilesArgs::Declare(cli::Parser& p) {
  p.Flag('r', "recursive", "go through directories (regular files below them)", &list.recursive)
      .String(0, "files-from", "FILE", "more files, one a line, from FILE (- for stdin)", &list.files_from)
      .Flag('0', "null", "--files-from names end with NUL, not newline (find -print0)", &list.null_separated);
}

absl::Status FilesArgs::Validate() const {
  if (args.empty() && list.files_from.empty()) return absl::InvalidArgumentError("missing FILE");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> FilesArgs::Load(absl::string_view tool, std::ostream& err) const {
  std::vector<std::string> skipped;
  absl::StatusOr<std::vector<std::string>> files = ExpandFiles(args, list, &skipped);
  for (const std::string& s : skipped) err << tool << ": skipping " << s << "\n";
  return files;
}

void PagesArgs::Declare(cli::Parser& p) {
  p.String(0, "pages", "A-B[,C-D]", "only these pages of each file (numbers from 0)", &pages_text)
      .String(0, "pages-from", "FILE", "only the pages `fmap residency --ranges` listed in FILE (- stdin)",
              &pages_from);
}

absl::Status PagesArgs::Validate() {
  if (pages_text && pages_from) return absl::InvalidArgumentError("--pages and --pages-from conflict");
  if (!pages_text) return absl::OkStatus();
  absl::StatusOr<std::vector<mmap::PageRun>> runs = ParsePages(*pages_text);
  if (!runs.ok()) return runs.status();
  pages = *std::move(runs);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::vector<mmap::PageRun>>> PagesArgs::Load() const {
  if (!pages_from) return pages;
  absl::StatusOr<std::string> text = io::ReadFile(*pages_from, absl::StrCat("--pages-from ", *pages_from));
  if (!text.ok()) return text.status();
  absl::StatusOr<std::vector<mmap::PageRun>> runs = ParseRangesOutput(*text);
  if (!runs.ok()) return runs.status();
  return std::optional<std::vector<mmap::PageRun>>(*std::move(runs));
}

void BytesArgs::Declare(cli::Parser& p, const char* hex_help, const char* file_flag, const char* file_help) {
  p.String(0, "string", "S", "the bytes, as given", &text)
      .String(0, "hex", "HEX", hex_help, &hex)
      .String(0, file_flag, "FILE", file_help, &file);
}

absl::Status BytesArgs::Validate(const char* file_flag, bool wildcards) {
  if (text.has_value() + hex.has_value() + file.has_value() != 1) {
    return absl::InvalidArgumentError(absl::StrCat("give exactly one of --string, --hex and --", file_flag));
  }
  if (text) bytes = *text;
  if (hex && wildcards) {
    absl::StatusOr<HexPattern> p = ParseHexPattern(*hex);
    if (!p.ok()) return p.status();
    bytes = p->bytes;
    mask = p->mask;
  } else if (hex) {
    absl::StatusOr<std::string> b = ParseHex(*hex);
    if (!b.ok()) return b.status();
    bytes = *b;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> BytesArgs::Load() const {
  if (file) return io::ReadFile(*file);
  return bytes;
}

absl::StatusOr<FilesAndPages> LoadFilesAndPages(const FilesArgs& files, const PagesArgs& pages, absl::string_view tool,
                                                std::ostream& err) {
  absl::StatusOr<std::vector<std::string>> list = files.Load(tool, err);
  if (!list.ok()) return list.status();
  absl::StatusOr<std::optional<std::vector<mmap::PageRun>>> runs = pages.Load();
  if (!runs.ok()) return runs.status();
  return FilesAndPages{*std::move(list), *std::move(runs)};
}

absl::Status EachFile(const FilesArgs& files, absl::string_view tool, std::ostream& err,
                             const std::function<absl::Status(const std::string&)>& one) {
  absl::StatusOr<std::vector<std::string>> list = files.Load(tool, err);
  if (!list.ok()) return list.status();
  for (const std::string& f : *list) {
    if (absl::Status s = one(f); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace ipckit::fmap
