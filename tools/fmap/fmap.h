// fmap: search and dump files through mmap (lib/mmap). This holds the
// subcommands that exist so far: info, find and dump.
#ifndef IPCKIT_TOOLS_FMAP_FMAP_H_
#define IPCKIT_TOOLS_FMAP_FMAP_H_

#include <stdint.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

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
  bool json = false;
};

// Find writes the matching offsets (one per line, "FILE:OFFSET" with several
// files) and returns whether anything matched.
absl::StatusOr<bool> Find(const FindOptions& o, const std::vector<std::string>& files,
                          std::ostream& out);

struct DumpOptions {
  uint64_t skip = 0;                  // -s
  std::optional<uint64_t> length;     // -n
  std::string format = "hexdump";     // hexdump, xxd or raw.
};

// Dump writes [skip, skip+length) of `file` as hexdump -C or xxd would, or raw.
absl::Status Dump(const DumpOptions& o, const std::string& file, std::ostream& out);

}  // namespace ipckit::fmap

#endif  // IPCKIT_TOOLS_FMAP_FMAP_H_
