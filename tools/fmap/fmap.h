// fmap: search, dump, patch and inspect files through mmap (lib/mmap): one
// function per subcommand, each writing its report (text, or JSON with
// `json`) to a stream and returning the error for main to print.
//
// Threads: main's thread (Lock holds signals; the others could run
// anywhere, one call at a time per stream).
#ifndef IPCKIT_TOOLS_FMAP_FMAP_H_
#define IPCKIT_TOOLS_FMAP_FMAP_H_

#include <stdint.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/hex/hex_forms.h"
#include "lib/mmap/residency.h"
#include "tools/fmap/progress.h"

namespace ipckit::fmap {

// kExitNotFound is find's exit status when nothing matched (as grep).
inline constexpr int kExitNotFound = 1;

// ParseHex decodes "48656c6c6f", "48 65 6c" or "0x48,0x65" to bytes, or
// returns kInvalidArgument: "--hex: odd number of hex digits".
absl::StatusOr<std::string> ParseHex(const std::string& text);

// HexPattern is a find pattern with wildcards: the bytes, and per byte the
// bits that must match (0xff exact, 0x00 any).
struct HexPattern {
  std::string bytes, mask;
};

// ParseHexPattern is ParseHex where a '?' stands for any hex digit, as
// bgrep's: "6e ?? 65" matches "nxe", "4?" any byte 0x40-0x4f.
absl::StatusOr<HexPattern> ParseHexPattern(const std::string& text);

// Info writes size, type, page size and page-cache residency of each file:
// "F: 16 bytes, file, page size 4096, 1 of 1 pages resident", or with `json`
// {"file","size","type","page_size","pages","resident"} (resident null where
// unknown or for streams).
// With several files, a total follows: "total: 3 files, 15001 bytes, 6 of 6
// pages resident" (JSON: {"total":true,"files","size","pages","resident"}).
absl::Status Info(const std::vector<std::string>& files, bool json, std::ostream& out);

// PageTotals sums the residency of several files: info's total, and touch
// and evict --json's, which add each file's as they report it.
struct PageTotals {
  uint64_t size = 0, pages = 0, resident = 0;
  void Add(const mmap::Residency& r);
  // Write writes "total: 3 files, 15001 bytes, 6 of 6 pages resident", or
  // {"total":true,"files","size","pages","resident"}.
  void Write(size_t files, bool json, std::ostream& out) const;
};

struct FindOptions {
  std::string pattern;   // The bytes to find.
  std::string mask;      // Empty, or per byte the bits compared (--hex "??", --mask).
  enum class Mode { kAll, kFirst, kLast, kCount } mode = Mode::kAll;
  bool overlap = true;
  bool hex_offsets = false;
  bool json = false;           // One object per file: {"file","offsets"|"count"}.
  ProgressSink progress;        // Where the progress line goes, if anywhere.
  // context, when not 0, follows each offset with xxd's lines for the match
  // and `context` bytes either side (as xxd -s OFF-N -l LEN+2N), and "--"
  // between matches, as grep -C.
  uint64_t context = 0;
};

// Find writes the matching offsets (one per line, "FILE:OFFSET" with several
// files) and returns whether anything matched.
absl::StatusOr<bool> Find(const FindOptions& o, const std::vector<std::string>& files,
                          std::ostream& out);

struct DumpOptions {
  uint64_t skip = 0;                  // -s
  bool skip_from_end = false;         // -s -N: N bytes before the end (xxd -s -N).
  std::optional<uint64_t> length;     // -n
  bool length_from_end = false;       // -n -N: all but the last N bytes (head -c -N).
  std::string format = "hexdump";     // hexdump, xxd, plain (xxd -p), include (xxd -i) or raw.
  std::optional<hex::XxdLayout> layout;  // xxd's -c -g -u -e -b (and -c -u for plain).
  bool no_squeeze = false;            // hexdump -v: repeated lines written out.
  bool json = false;                  // {"file","offset","hex","length"} instead.
  ProgressSink progress;              // Where the progress line goes, if anywhere.
};

// Dump writes [skip, skip+length) of `file` as hexdump -C, xxd, xxd -p or
// xxd -i would, or raw, to `out` (stdout: a failed write is "write stdout:
// <strerror>"). Offsets from the end need a size: for a stream they are
// kInvalidArgument "-s -N and -n -N need a file whose size is known".
absl::Status Dump(const DumpOptions& o, const std::string& file, std::ostream& out);

// Undump writes the bytes a dump of `format` (plain: xxd -p, xxd: as xxd
// -r, hexdump: hexdump -C's) in `file` ("-": stdin) describes to `out`, or
// returns the error with its line: "line 3: invalid hex digit 'z'".
absl::Status Undump(const std::string& format, const std::string& file, std::ostream& out);

}  // namespace ipckit::fmap

namespace ipckit::fmap {

struct WriteOptions {
  bool write = false;    // The explicit permission to modify the file.
  uint64_t offset = 0;
  std::string data;      // The bytes to write.
  bool extend = false;   // Allow growing the file.
  bool sync = false;     // msync(MS_SYNC) before returning.
  bool json = false;     // Report {"file","offset","bytes","extended","synced"} on `out`.
};

// Write patches `data` into `file` at `offset` through a shared mapping. It
// refuses (kInvalidArgument) without o.write: "refusing to modify F without
// --write", and past the end without o.extend: "writing 4 bytes at 10 would
// extend F from 12 to 14 bytes; add --extend".
absl::Status Write(const WriteOptions& o, const std::string& file, std::ostream& out);

// Resize sets the size of `file` (with `write` as the permission, as Write);
// with `json` it reports {"file","old_size","size"} on `out`.
absl::Status Resize(bool write, uint64_t size, const std::string& file, bool json, std::ostream& out);

// Sync flushes the file's data to its device (fdatasync); with `json` it
// reports {"file","synced":true} on `out`.
absl::Status Sync(const std::string& file, bool json, std::ostream& out);

// Advise gives the kernel advice about the whole file: seq or random
// (read-ahead for fmap's own open file: it ends when fmap exits), willneed
// (read into the page cache now), dontneed (drop its clean pages), or
// hugepage (MADV_HUGEPAGE, then MADV_COLLAPSE so the file's cached pages are
// backed by huge pages beyond fmap's exit; kFailedPrecondition "advise F:
// hugepage: ... (MADV_COLLAPSE: Invalid argument)" where the kernel or file
// system cannot). kInvalidArgument names unknown advice. With `json` it
// reports {"file","advice"} on `out`.
absl::Status Advise(const std::string& advice, const std::string& file, bool json, std::ostream& out);

// Sum writes "HEX  FILE" for the SHA-256 (sha256sum's format) or CRC-32C of
// [skip, skip+length), or with `json` {"file","algo","offset","length","digest"}.
absl::Status Sum(const std::string& algo, uint64_t skip, std::optional<uint64_t> length, const ProgressSink& progress,
                 bool json, const std::string& file, std::ostream& out);

}  // namespace ipckit::fmap

namespace ipckit::fmap {

struct ResidencyReportOptions {
  bool ranges = false;  // Also list the resident byte ranges.
  bool json = false;    // {"file","size","pages","resident","bytes","method"[,"ranges"]} per file.
  // pages, when set, limits the report to these pages of each file: pages
  // and resident count only them (--pages, --pages-from).
  std::optional<std::vector<mmap::PageRun>> pages;
};

// ResidencyReport writes one line per file: "F: 245 of 245 pages resident
// (100.0%), 1000000 bytes" (the file's bytes in resident pages), or "F:
// residency unknown (...)", and with o.ranges one "  OFFSET+LENGTH (pages
// A-B)" line per resident range. Errors are lib/mmap/residency's.
absl::Status ResidencyReport(const std::vector<std::string>& files, const ResidencyReportOptions& o,
                             std::ostream& out);

// Touch reads every page of `file` into the page cache; Evict writes its
// dirty pages out (fdatasync) and drops them all (POSIX_FADV_DONTNEED), as
// far as no process has them locked. With `json` each reports
// {"file","pages","resident"} (the residency afterwards) on `out`.
// With `pages`, Touch and Evict work on those pages only; with `json`, the
// residency each reports is added to `totals` when given.
absl::Status Touch(const std::string& file, bool json, const ProgressSink& progress, std::ostream& out,
                   const std::vector<mmap::PageRun>* pages = nullptr, PageTotals* totals = nullptr);
absl::Status Evict(const std::string& file, bool json, std::ostream& out,
                   const std::vector<mmap::PageRun>* pages = nullptr, PageTotals* totals = nullptr);

// Lock maps each of `files`, locks them in memory with mlock(2), writes
// "locked F: N bytes; holding until SIGINT or SIGTERM" ("locked 3 files:
// ...") to `log` (or with `json` {"file","bytes","locked":true} per file to
// `out`), and holds them until SIGINT, SIGTERM or SIGHUP. A refusal names the
// limit: "lock F (RLIMIT_MEMLOCK is 8388608 bytes; raise it with ulimit -l):
// Cannot allocate memory". Empty files among several are skipped.
struct LockOptions {
  bool json = false;
  bool daemon = false;   // --daemon: return once locked, holding in the background.
  std::string pid_file;  // --pidfile: the daemon's PID, written once locked.
  std::optional<std::vector<mmap::PageRun>> pages;  // Only these pages of each file.
};

// With o.daemon, Lock returns once a background process holds the locks
// (OK), or with the reason it could not; the report lines come first.
absl::Status Lock(const std::vector<std::string>& files, const LockOptions& o, std::ostream& out, std::ostream& log);

}  // namespace ipckit::fmap

#endif  // IPCKIT_TOOLS_FMAP_FMAP_H_
