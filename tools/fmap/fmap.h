// fmap: search, dump, patch and inspect files through mmap (lib/mmap). This
// holds the subcommands that exist so far: info, find, dump, write, resize,
// sync, advise and sum.
#ifndef IPCKIT_TOOLS_FMAP_FMAP_H_
#define IPCKIT_TOOLS_FMAP_FMAP_H_

#include <stdint.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tools/fmap/progress.h"

namespace ipckit::fmap {

// kExitNotFound is find's exit status when nothing matched (as grep).
inline constexpr int kExitNotFound = 1;

// ParseHex decodes "48656c6c6f", "48 65 6c" or "0x48,0x65" to bytes, or
// returns kInvalidArgument: "--hex: odd number of hex digits".
absl::StatusOr<std::string> ParseHex(const std::string& text);

// Info writes size, type and page size of each file.
absl::Status Info(const std::vector<std::string>& files, bool json, std::ostream& out);

struct FindOptions {
  std::string pattern;   // The bytes to find.
  enum class Mode { kAll, kFirst, kLast, kCount } mode = Mode::kAll;
  bool overlap = true;
  bool hex_offsets = false;
  bool json = false;           // One object per file: {"file","offsets"|"count"}.
  ProgressSink progress;        // Where the progress line goes, if anywhere.
};

// Find writes the matching offsets (one per line, "FILE:OFFSET" with several
// files) and returns whether anything matched.
absl::StatusOr<bool> Find(const FindOptions& o, const std::vector<std::string>& files,
                          std::ostream& out);

struct DumpOptions {
  uint64_t skip = 0;                  // -s
  std::optional<uint64_t> length;     // -n
  std::string format = "hexdump";     // hexdump, xxd or raw.
  bool json = false;                  // {"file","offset","hex","length"} instead.
};

// Dump writes [skip, skip+length) of `file` as hexdump -C or xxd would, or raw,
// to `out` (stdout: a failed write is "write stdout: <strerror>").
absl::Status Dump(const DumpOptions& o, const std::string& file, std::ostream& out);

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

// Resize sets the size of `file` (with `write` as the permission, as Write).
absl::Status Resize(bool write, uint64_t size, const std::string& file);

// Sync flushes the file's data to its device (fdatasync).
absl::Status Sync(const std::string& file);

// Advise passes an access pattern to the kernel for the whole file:
// seq, random, willneed (read ahead now) or dontneed (drop cached pages).
absl::Status Advise(const std::string& advice, const std::string& file);

// Sum writes "HEX  FILE" for the SHA-256 (sha256sum's format) or CRC-32C of
// [skip, skip+length).
absl::Status Sum(const std::string& algo, uint64_t skip, std::optional<uint64_t> length, const ProgressSink& progress,
                 const std::string& file, std::ostream& out);

}  // namespace ipckit::fmap

namespace ipckit::fmap {

struct Residency {
  uint64_t pages = 0;     // Pages in the file.
  uint64_t resident = 0;  // Of those, in the page cache.
  bool known = true;      // false where the kernel would not tell the truth.
  const char* method = "";  // "cachestat" or "mincore".
};

// GetResidency counts the file's pages in the page cache, with cachestat(2)
// where the kernel has it, else mincore(2) over mapping windows. mincore on
// kernels >= 5.0 only tells the truth for files the caller may write; for
// others the result is marked unknown.
absl::StatusOr<Residency> GetResidency(const std::string& file);

// ResidencyReport writes one line per file: "F: 245 of 245 pages resident
// (100.0%), 1003520 bytes" or "F: residency unknown (...)".
absl::Status ResidencyReport(const std::vector<std::string>& files, bool json, std::ostream& out);

// Touch reads one byte of every page, bringing the file into the page cache.
absl::Status Touch(const std::string& file);

// Evict asks the kernel to drop the file's clean pages (POSIX_FADV_DONTNEED).
absl::Status Evict(const std::string& file);

// Lock maps `file`, locks it in memory with mlock(2), writes "locked F: N
// bytes" to `log`, and holds it until SIGINT, SIGTERM or SIGHUP. A refusal
// names the limit: "lock F: Cannot allocate memory (RLIMIT_MEMLOCK is 8388608
// bytes; raise it with ulimit -l)".
absl::Status Lock(const std::string& file, std::ostream& log);

}  // namespace ipckit::fmap

#endif  // IPCKIT_TOOLS_FMAP_FMAP_H_
