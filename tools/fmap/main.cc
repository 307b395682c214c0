// fmap: search, dump, patch and inspect files through mmap. Each command
// is one function below and one row of kCommands.
#include <errno.h>
#include <signal.h>

#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/cli/values.h"
#include "lib/cli/options.h"
#include "lib/cli/subcommands.h"
#include "lib/io/fd.h"
#include "tools/fmap/file_list.h"
#include "tools/fmap/fmap.h"
#include "tools/fmap/pages.h"

namespace {

using ipckit::cli::Parser;
using ipckit::cli::ToolInfo;

// PatternFromFlags returns the bytes given by exactly one of --string, --hex
// and the file flag `file_flag` (that file's contents): kInvalidArgument for
// a usage error, io::ReadFile's error ("open F: No such file or directory")
// for an unreadable file.
absl::StatusOr<std::string> PatternFromFlags(const std::optional<std::string>& text,
                                             const std::optional<std::string>& hex,
                                             const std::optional<std::string>& file,
                                             const char* file_flag) {
  if (text.has_value() + hex.has_value() + file.has_value() != 1) {
    return absl::InvalidArgumentError(absl::StrCat("give exactly one of --string, --hex and ", file_flag));
  }
  if (text) return *text;
  if (hex) return ipckit::fmap::ParseHex(*hex);
  return ipckit::io::ReadFile(*file);
}

// FileArgs declares -r, --files-from and -0 on a command that takes FILE...
// and expands its arguments into the files (file_list.h).
class FileArgs {
 public:
  explicit FileArgs(Parser& p) : p_(p) {
    p.Flag('r', "recursive", "go through directories (regular files below them)", &o_.recursive)
        .String(0, "files-from", "FILE", "more files, one a line, from FILE (- for stdin)", &o_.files_from)
        .Flag('0', "null", "--files-from names end with NUL, not newline (find -print0)", &o_.null_separated);
  }

  // Expand returns the files, or prints the usage error and returns nullopt
  // with the exit code in *code.
  std::optional<std::vector<std::string>> Expand(const std::vector<std::string>& args, int* code) {
    if (args.empty() && o_.files_from.empty()) {
      *code = p_.UsageError(absl::InvalidArgumentError("missing FILE"));
      return std::nullopt;
    }
    std::vector<std::string> skipped;
    absl::StatusOr<std::vector<std::string>> files = ipckit::fmap::ExpandFiles(args, o_, &skipped);
    for (const std::string& s : skipped) std::cerr << p_.info().name << ": skipping " << s << "\n";
    if (!files.ok()) {
      *code = p_.Finish(files.status(), ipckit::cli::kUsageRules);
      return std::nullopt;
    }
    return *std::move(files);
  }

 private:
  Parser& p_;
  ipckit::fmap::FileListOptions o_;
};

// PageArgs declares --pages and --pages-from (page ranges of each file).
class PageArgs {
 public:
  explicit PageArgs(Parser& p) : p_(p) {
    p.String(0, "pages", "A-B[,C-D]", "only these pages of each file (numbers from 0)", &pages_)
        .String(0, "pages-from", "FILE", "only the pages `fmap residency --ranges` listed in FILE (- stdin)",
                &pages_from_);
  }

  // Parse returns the ranges (nullopt: the whole file), or prints the usage
  // error and returns false with the exit code in *code.
  bool Parse(std::optional<std::vector<ipckit::mmap::PageRun>>* out, int* code) {
    if (pages_ && pages_from_) {
      *code = p_.UsageError(absl::InvalidArgumentError("--pages and --pages-from conflict"));
      return false;
    }
    absl::StatusOr<std::vector<ipckit::mmap::PageRun>> runs;
    if (pages_) {
      runs = ipckit::fmap::ParsePages(*pages_);
    } else if (pages_from_) {
      absl::StatusOr<std::string> text = ipckit::io::ReadFile(*pages_from_, absl::StrCat("--pages-from ", *pages_from_));
      if (!text.ok()) {
        *code = p_.Fail(text.status());
        return false;
      }
      runs = ipckit::fmap::ParseRangesOutput(*text);
    } else {
      return true;
    }
    if (!runs.ok()) {
      *code = p_.UsageError(runs.status());
      return false;
    }
    *out = *std::move(runs);
    return true;
  }

 private:
  Parser& p_;
  std::optional<std::string> pages_, pages_from_;
};

int Info(int argc, char** argv) {
  bool json = false;
  Parser p(ToolInfo{"fmap info", {"FILE..."}, "Show size, type, page size and page-cache residency.", "", false});
  p.Flag(0, "json", "one JSON object per file", &json);
  FileArgs file_args(p);
  int code = 0;
  std::optional<std::vector<std::string>> files = file_args.Expand(p.ParseOrExit(argc, argv), &code);
  if (!files) return code;
  return p.Finish(ipckit::fmap::Info(*files, json, std::cout), ipckit::cli::kUsageRules);
}

int Find(int argc, char** argv) {
  ipckit::fmap::FindOptions o;
  bool progress = false;
  std::optional<std::string> text, hex, pattern_file;
  bool first = false, last = false, count = false, no_overlap = false;
  Parser p(ToolInfo{"fmap find", {"(--string S | --hex HEX | --pattern-file F) [options] FILE..."},
                    "Print the byte offset of every match of a pattern (overlapping by default).",
                    "Exit status: 0 if a match was found, 1 if not (or on an error), 2 usage error.", false});
  std::optional<std::string> mask;
  p.String(0, "string", "S", "the pattern, as given", &text)
      .String(0, "hex", "HEX", "the pattern in hex (\"de ad be ef\", \"0xde,0xad\"); ? is any digit (\"6e ?? 65\")", &hex)
      .String(0, "pattern-file", "FILE", "the pattern is FILE's bytes (any, newlines too)", &pattern_file)
      .String(0, "mask", "HEX", "compare only these bits of each pattern byte (\"ff f0 ff\")", &mask)
      .Flag(0, "first", "only the first match per file", &first)
      .Flag(0, "last", "only the last match per file (searched from the end)", &last)
      .Flag('c', "count", "only the number of matches per file", &count)
      .Flag(0, "no-overlap", "matches may not overlap (\"aa\" in \"aaaa\": 0, 2)", &no_overlap)
      .Flag(0, "hex-offsets", "print offsets in hex (0x...)", &o.hex_offsets)
      .Size('C', "context", "N", "after each offset, xxd lines of the match and N bytes either side", &o.context)
      .Flag(0, "json", "one JSON object per file: {\"file\",\"offsets\",\"count\"}", &o.json)
      .Flag(0, "progress", "a progress line on stderr (default: if a terminal, for files of 256M+)", &progress);
  FileArgs file_args(p);
  std::vector<std::string> args = p.ParseOrExit(argc, argv);
  o.progress = ipckit::fmap::ProgressTo(progress);
  absl::StatusOr<ipckit::fmap::HexPattern> hex_pattern = ipckit::fmap::HexPattern();
  if (hex && !text && !pattern_file) hex_pattern = ipckit::fmap::ParseHexPattern(*hex);
  if (!hex_pattern.ok()) return p.Finish(hex_pattern.status(), ipckit::cli::kUsageRules);
  absl::StatusOr<std::string> pattern = hex_pattern->bytes.empty()
                                            ? PatternFromFlags(text, hex, pattern_file, "--pattern-file")
                                            : absl::StatusOr<std::string>(hex_pattern->bytes);
  if (!pattern.ok()) return p.Finish(pattern.status(), ipckit::cli::kUsageRules);
  o.mask = hex_pattern->mask;
  if (mask) {
    absl::StatusOr<std::string> bits = ipckit::fmap::ParseHex(*mask);
    if (!bits.ok()) return p.UsageError(absl::InvalidArgumentError(absl::StrCat("--mask", bits.status().message().substr(5))));
    if (bits->size() != pattern->size()) {
      return p.UsageError(absl::InvalidArgumentError(
          absl::StrCat("--mask has ", bits->size(), bits->size() == 1 ? " byte" : " bytes", ", the pattern ", pattern->size())));
    }
    if (o.mask.empty()) o.mask.assign(bits->size(), '\xff');
    for (size_t i = 0; i < bits->size(); ++i) o.mask[i] = static_cast<char>(o.mask[i] & (*bits)[i]);
  }
  if (first + last + count > 1) return p.UsageError(absl::InvalidArgumentError("give at most one of --first, --last and --count"));
  if (o.context > 0 && (o.json || count)) {
    return p.UsageError(absl::InvalidArgumentError("--context shows matches: not with --json or --count"));
  }
  int code = 0;
  std::optional<std::vector<std::string>> files = file_args.Expand(args, &code);
  if (!files) return code;
  o.pattern = *pattern;
  if (o.pattern.empty()) return p.UsageError(absl::InvalidArgumentError("empty pattern"));
  o.mode = first ? ipckit::fmap::FindOptions::Mode::kFirst
           : last ? ipckit::fmap::FindOptions::Mode::kLast
           : count ? ipckit::fmap::FindOptions::Mode::kCount
                   : ipckit::fmap::FindOptions::Mode::kAll;
  o.overlap = !no_overlap;
  absl::StatusOr<bool> found = ipckit::fmap::Find(o, *files, std::cout);
  std::cout.flush();
  if (!found.ok()) return p.Finish(found.status(), ipckit::cli::kUsageRules);
  return *found ? 0 : ipckit::fmap::kExitNotFound;
}

// SignedSize parses "64K" or "-16" (from the end) for dump's -s and -n.
absl::Status SignedSize(const std::optional<std::string>& text, const char* flag, uint64_t* value, bool* from_end) {
  if (!text) return absl::OkStatus();
  absl::string_view v = *text;
  *from_end = absl::ConsumePrefix(&v, "-");
  absl::StatusOr<uint64_t> n = ipckit::cli::ParseSize(v);
  if (!n.ok()) return absl::InvalidArgumentError(absl::StrCat(flag, ": ", n.status().message()));
  *value = *n;
  return absl::OkStatus();
}

int Dump(int argc, char** argv) {
  ipckit::fmap::DumpOptions o;
  bool progress = false;
  std::optional<std::string> skip, length;
  std::optional<int> cols, group;
  bool upper = false, little_endian = false, bits = false;
  Parser p(ToolInfo{"fmap dump", {"[-s [-]OFF] [-n [-]LEN] [--format=hexdump|xxd|plain|include|raw] FILE"},
                    "Dump bytes exactly as hexdump -C (default), xxd, xxd -p or xxd -i would, or raw.\n"
                    "A negative -s counts from the end (xxd -s -16); a negative -n leaves that\n"
                    "many bytes out at the end (head -c -N).",
                    "", false});
  p.String('s', "skip", "OFF", "start at byte OFF (-OFF: OFF bytes before the end)", &skip)
      .String('n', "length", "LEN", "dump at most LEN bytes (-LEN: all but the last LEN)", &length)
      .String('f', "format", "FORMAT", "hexdump (default), xxd, plain (xxd -p), include (xxd -i) or raw", &o.format)
      .Int('c', "cols", "N", "xxd, plain: bytes a line (xxd -c; default 16, 30 plain, 6 with -b)", &cols, 1, 256)
      .Int('g', "group", "N", "xxd: bytes a group (xxd -g; default 2, 4 with -e, 1 with -b; 0 one group)", &group, 0, 256)
      .Flag('u', "upper", "xxd, plain: upper-case hex (xxd -u)", &upper)
      .Flag('e', "little-endian", "xxd: each group's bytes reversed (xxd -e)", &little_endian)
      .Flag('b', "bits", "xxd: bits instead of hex (xxd -b)", &bits)
      .Flag('v', "no-squeeze", "hexdump: write repeated lines out instead of '*' (hexdump -v)", &o.no_squeeze)
      .Flag(0, "json", "{\"file\",\"offset\",\"hex\",\"length\"} instead", &o.json)
      .Flag(0, "progress", "a progress line on stderr (default: if a terminal and stdout is not)", &progress);
  std::vector<std::string> files = p.ParseOrExit(argc, argv);
  if (files.size() != 1) return p.UsageError(absl::InvalidArgumentError("expected one FILE"));
  absl::Status s = SignedSize(skip, "-s", &o.skip, &o.skip_from_end);
  uint64_t n = 0;
  if (s.ok()) s = SignedSize(length, "-n", &n, &o.length_from_end);
  if (!s.ok()) return p.UsageError(s);
  if (length) o.length = n;
  if (cols || group || upper || little_endian || bits) {
    if (o.format != "xxd" && o.format != "plain") {
      return p.UsageError(absl::InvalidArgumentError("-c, -g, -u, -e and -b are for --format=xxd (and -c, -u plain)"));
    }
    if (little_endian && bits) return p.UsageError(absl::InvalidArgumentError("-e and -b conflict"));
    ipckit::hex::XxdLayout l;
    l.bits = bits;
    l.little_endian = little_endian;
    l.upper = upper;
    l.cols = cols.value_or(bits ? 6 : o.format == "plain" ? 30 : 16);
    l.group = group.value_or(bits ? 1 : little_endian ? 4 : 2);
    // As xxd, only a group that fits the line must be a power of 2 (a wider
    // one, or 0, is cut to the line: -e -c 3 -g 8 is -g 3).
    if (little_endian && l.group >= 1 && l.group <= l.cols && (l.group & (l.group - 1)) != 0) {
      return p.UsageError(absl::InvalidArgumentError("-g: with -e, a power of 2"));
    }
    o.layout = l;
  }
  o.progress = ipckit::fmap::ProgressTo(progress);
  s = ipckit::fmap::Dump(o, files[0], std::cout);
  std::cout.flush();
  if (s.ok() && !std::cout) s = absl::ErrnoToStatus(errno != 0 ? errno : EIO, "write stdout");
  return p.Finish(s, ipckit::cli::kUsageRules);
}

int Undump(int argc, char** argv) {
  std::string format = "plain";
  Parser p(ToolInfo{"fmap undump", {"[--format=plain|xxd|hexdump] [FILE]"},
                    "Turn a hex dump back into its bytes, on stdout: plain hex (xxd -p; what\n"
                    "xxd -r -p reads), xxd's layout (as xxd -r) or hexdump -C's (its '*' lines too).",
                    "", false});
  p.String('f', "format", "FORMAT", "plain (default), xxd or hexdump", &format);
  std::vector<std::string> files = p.ParseOrExit(argc, argv);
  if (files.size() > 1) return p.UsageError(absl::InvalidArgumentError("expected at most one FILE"));
  absl::Status s = ipckit::fmap::Undump(format, files.empty() ? "-" : files[0], std::cout);
  std::cout.flush();
  if (s.ok() && !std::cout) s = absl::ErrnoToStatus(errno != 0 ? errno : EIO, "write stdout");
  return p.Finish(s, ipckit::cli::kUsageRules);
}

int Write(int argc, char** argv) {
  ipckit::fmap::WriteOptions o;
  std::optional<std::string> text, hex, from;
  Parser p(ToolInfo{"fmap write", {"--write --offset N (--string S | --hex HEX | --from FILE) FILE"},
                    "Patch bytes in place. Refuses without --write, and past the end without --extend.",
                    "Exit status: 0 written, 1 failure, 2 usage error or refused.", false});
  p.Flag(0, "write", "allow modifying the file", &o.write)
      .Size(0, "offset", "N", "where to write", &o.offset)
      .String(0, "string", "S", "the bytes, as given", &text)
      .String(0, "hex", "HEX", "the bytes in hex", &hex)
      .String(0, "from", "FILE", "the bytes are FILE's contents", &from)
      .Flag(0, "extend", "allow growing the file", &o.extend)
      .Flag(0, "sync", "msync(MS_SYNC) before exiting", &o.sync)
      .Flag(0, "json", "report what was written as JSON", &o.json);
  std::vector<std::string> files = p.ParseOrExit(argc, argv);
  if (files.size() != 1) return p.UsageError(absl::InvalidArgumentError("expected one FILE"));
  absl::StatusOr<std::string> data = PatternFromFlags(text, hex, from, "--from");
  if (!data.ok()) return p.Finish(data.status(), ipckit::cli::kUsageRules);
  o.data = *data;
  return p.Finish(ipckit::fmap::Write(o, files[0], std::cout), ipckit::cli::kUsageRules);
}

int Resize(int argc, char** argv) {
  bool json = false;
  bool write = false;
  std::optional<uint64_t> size;
  Parser p(ToolInfo{"fmap resize", {"--write --size N FILE"}, "Set a file's size (refuses without --write).", "", false});
  p.Flag(0, "write", "allow modifying the file", &write)
      .Size(0, "size", "N", "the new size", &size)
      .Flag(0, "json", "report {\"file\",\"old_size\",\"size\"}", &json);
  std::vector<std::string> files = p.ParseOrExit(argc, argv);
  if (files.size() != 1 || !size) return p.UsageError(absl::InvalidArgumentError("expected --size N and one FILE"));
  return p.Finish(ipckit::fmap::Resize(write, *size, files[0], json, std::cout), ipckit::cli::kUsageRules);
}

int Sync(int argc, char** argv) {
  bool json = false;
  Parser p(ToolInfo{"fmap sync", {"FILE..."}, "Flush files' data to their device.", "", false});
  p.Flag(0, "json", "report {\"file\",\"synced\":true}", &json);
  FileArgs file_args(p);
  int code = 0;
  std::optional<std::vector<std::string>> files = file_args.Expand(p.ParseOrExit(argc, argv), &code);
  if (!files) return code;
  for (const std::string& f : *files) {
    absl::Status s = ipckit::fmap::Sync(f, json, std::cout);
    if (!s.ok()) return p.Finish(s, ipckit::cli::kUsageRules);
  }
  return 0;
}

int Advise(int argc, char** argv) {
  bool json = false;
  std::string advice;
  Parser p(ToolInfo{"fmap advise", {"--advice ADVICE FILE..."}, "Give the kernel advice about whole files.",
                    "Advice:\n"
                    "  willneed  read the file into the page cache now\n"
                    "  dontneed  drop its clean pages from the page cache\n"
                    "  hugepage  back its cached pages with huge pages (MADV_COLLAPSE; tmpfs with huge=,\n"
                    "            or a kernel with CONFIG_READ_ONLY_THP_FOR_FS)\n"
                    "  seq, random  read-ahead hints; they belong to an open file, so they end when\n"
                    "            fmap exits (kept for scripts that try the call, as Python's madvise)",
                    false});
  p.String(0, "advice", "ADVICE", "seq, random, willneed, dontneed or hugepage", &advice)
      .Flag(0, "json", "report {\"file\",\"advice\"}", &json);
  FileArgs file_args(p);
  int code = 0;
  std::optional<std::vector<std::string>> files = file_args.Expand(p.ParseOrExit(argc, argv), &code);
  if (!files) return code;
  if (advice.empty()) return p.UsageError(absl::InvalidArgumentError("missing --advice"));
  for (const std::string& f : *files) {
    absl::Status s = ipckit::fmap::Advise(advice, f, json, std::cout);
    if (!s.ok()) return p.Finish(s, ipckit::cli::kUsageRules);
  }
  return 0;
}

int Residency(int argc, char** argv) {
  ipckit::fmap::ResidencyReportOptions o;
  Parser p(ToolInfo{"fmap residency", {"[--ranges] FILE..."},
                    "Count each file's pages in the page cache (cachestat, else mincore), without reading it.",
                    "", false});
  p.Flag(0, "ranges", "also list the resident ranges: OFFSET+LENGTH (pages FIRST-LAST)", &o.ranges)
      .Flag(0, "json", "one JSON object per file (and a total for several)", &o.json);
  FileArgs file_args(p);
  PageArgs page_args(p);
  int code = 0;
  std::optional<std::vector<std::string>> files = file_args.Expand(p.ParseOrExit(argc, argv), &code);
  if (!files || !page_args.Parse(&o.pages, &code)) return code;
  return p.Finish(ipckit::fmap::ResidencyReport(*files, o, std::cout), ipckit::cli::kUsageRules);
}

int TouchOrEvict(int argc, char** argv) {
  std::string cmd = argv[0];
  bool json = false;
  Parser p(ToolInfo{absl::StrCat("fmap ", cmd), {"FILE..."},
                    cmd == "touch" ? "Read every page of each file into the page cache."
                                   : "Drop each file's clean pages from the page cache.",
                    "", false});
  bool progress = false;
  p.Flag(0, "json", "report {\"file\",\"pages\",\"resident\"} afterwards, per file", &json);
  if (cmd == "touch") p.Flag(0, "progress", "a progress line on stderr (default: if a terminal)", &progress);
  FileArgs file_args(p);
  PageArgs page_args(p);
  int code = 0;
  std::optional<std::vector<ipckit::mmap::PageRun>> pages;
  std::optional<std::vector<std::string>> files = file_args.Expand(p.ParseOrExit(argc, argv), &code);
  if (!files || !page_args.Parse(&pages, &code)) return code;
  const std::vector<ipckit::mmap::PageRun>* only = pages ? &*pages : nullptr;
  ipckit::fmap::ProgressSink sink = ipckit::fmap::ProgressTo(progress, /*results_on_stdout=*/json);
  ipckit::fmap::PageTotals totals;
  for (const std::string& f : *files) {
    absl::Status s = cmd == "touch" ? ipckit::fmap::Touch(f, json, sink, std::cout, only, &totals)
                                    : ipckit::fmap::Evict(f, json, std::cout, only, &totals);
    if (!s.ok()) return p.Finish(s, ipckit::cli::kUsageRules);
  }
  if (json && files->size() > 1) totals.Write(files->size(), true, std::cout);
  return 0;
}

int Lock(int argc, char** argv) {
  ipckit::fmap::LockOptions o;
  bool wait = false;
  Parser p(ToolInfo{"fmap lock", {"[--daemon [--pidfile F]] FILE..."},
                    "Lock files in memory until SIGINT or SIGTERM (vmtouch -l; --daemon: vmtouch -dlw).", "", false});
  p.Flag(0, "json", "once locked, print {\"file\",\"bytes\",\"locked\":true} per file", &o.json)
      .Flag('d', "daemon", "hold the locks in the background; return once they hold", &o.daemon)
      .String(0, "pidfile", "FILE", "with --daemon: write the daemon's PID to FILE", &o.pid_file)
      .Flag('w', "wait", "hold in the foreground (the default)", &wait);
  FileArgs file_args(p);
  PageArgs page_args(p);
  int code = 0;
  std::optional<std::vector<std::string>> files = file_args.Expand(p.ParseOrExit(argc, argv), &code);
  if (!files || !page_args.Parse(&o.pages, &code)) return code;
  if (wait && o.daemon) return p.UsageError(absl::InvalidArgumentError("--wait and --daemon conflict"));
  if (!o.pid_file.empty() && !o.daemon) return p.UsageError(absl::InvalidArgumentError("--pidfile needs --daemon"));
  return p.Finish(ipckit::fmap::Lock(*files, o, std::cout, std::cerr), ipckit::cli::kUsageRules);
}

int Sum(int argc, char** argv) {
  bool json = false;
  std::string algo = "sha256";
  bool progress = false;
  uint64_t skip = 0;
  std::optional<uint64_t> length;
  Parser p(ToolInfo{"fmap sum", {"[--algo sha256|crc32c] [-s OFF] [-n LEN] FILE..."},
                    "Checksum a file or a range of it.", "", false});
  p.String(0, "algo", "ALGO", "sha256 (default) or crc32c", &algo)
      .Size('s', "skip", "OFF", "start at byte OFF", &skip)
      .Size('n', "length", "LEN", "at most LEN bytes", &length)
      .Flag(0, "json", "{\"file\",\"algo\",\"offset\",\"length\",\"digest\"} instead", &json)
      .Flag(0, "progress", "a progress line on stderr (default: if a terminal, for files of 256M+)", &progress);
  FileArgs file_args(p);
  int code = 0;
  std::optional<std::vector<std::string>> files = file_args.Expand(p.ParseOrExit(argc, argv), &code);
  if (!files) return code;
  for (const std::string& f : *files) {  // One line each, as sha256sum's.
    absl::Status s = ipckit::fmap::Sum(algo, skip, length, ipckit::fmap::ProgressTo(progress), json, f, std::cout);
    if (!s.ok()) return p.Finish(s, ipckit::cli::kUsageRules);
  }
  return 0;
}

// kCommands is fmap's command table: one row per command.
constexpr ipckit::cli::Subcommand kCommands[] = {
    {"info", "FILE...", "size, type, page size and pages in the page cache", Info},
    {"find", "(--string S | --hex HEX | --pattern-file F) [--first|--last|--count]\n[--no-overlap] [--hex-offsets] FILE...",
     "byte offsets of a pattern (any bytes); exit 1 if none", Find},
    {"dump", "[-s [-]OFF] [-n [-]LEN] [--format=hexdump|xxd|plain|include|raw] FILE",
     "byte-identical to hexdump -C, xxd, xxd -p or xxd -i", Dump},
    {"undump", "[--format=plain|xxd|hexdump] [FILE]", "bytes back from a dump (xxd -r, xxd -r -p)", Undump},
    {"write", "--write --offset N (--string S | --hex HEX | --from FILE) [--extend] [--sync] FILE",
     "patch bytes in place through a shared mapping", Write},
    {"resize", "--write --size N FILE", "set the file's size", Resize},
    {"sync", "FILE...", "flush the files' data to their device", Sync},
    {"advise", "--advice seq|random|willneed|dontneed|hugepage FILE...",
     "read into or drop from the page cache, or use huge pages", Advise},
    {"sum", "[--algo sha256|crc32c] [-s OFF] [-n LEN] FILE...", "checksum files or a range (sha256sum's output format)", Sum},
    {"residency", "[--ranges] FILE...", "pages in the page cache, and where (cachestat, else mincore)", Residency},
    {"touch", "FILE...", "read every page into the page cache", TouchOrEvict},
    {"evict", "FILE...", "drop the file's clean pages from the page cache", TouchOrEvict},
    {"lock", "FILE...", "mlock the files and hold them until SIGINT or SIGTERM", Lock},
};

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  if (!ipckit::io::EnsureStandardFds().ok()) return 1;
  return ipckit::cli::Dispatch({"fmap", {}, "Search, dump, patch and inspect files through mmap.",
                                "Every command takes --json; those that take FILE... also take -r (directories)\n"
                                "and --files-from FILE (with -0 for NUL-separated names).\n\n"
                                "Exit status: 0 ok (find: found), 1 failure (find: not found), 2 usage error.",
                                true},
                               kCommands, argc, argv);
}
