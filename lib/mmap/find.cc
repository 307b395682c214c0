#include "lib/mmap/find.h"

#include <string.h>

#include <string>

namespace ipckit {

absl::Status Find(const MappedFile& file, absl::string_view pattern, const FindOptions& options,
                  const std::function<bool(uint64_t)>& on_match) {
  if (pattern.empty()) return absl::InvalidArgumentError("empty pattern");
  const size_t m = pattern.size();
  std::string carry;           // The last m-1 bytes of what came before, for spanning matches.
  uint64_t carry_offset = 0;   // File offset of carry[0].
  uint64_t next_allowed = 0;   // Without overlap, matches start at or after this offset.
  bool stop = false;
  auto report = [&](uint64_t at) {
    if (at < next_allowed) return;
    next_allowed = options.overlap ? at + 1 : at + m;
    if (!on_match(at)) stop = true;
  };
  absl::Status s = file.ForEachChunk(options.offset, options.length, [&](uint64_t off, absl::string_view data) {
    // Matches that start in the carry and end in this chunk.
    if (!carry.empty()) {
      std::string joined = carry;
      joined.append(data.data(), std::min(data.size(), m - 1));
      for (size_t i = 0; i + m <= joined.size() && i < carry.size() && !stop; ++i) {
        if (memcmp(joined.data() + i, pattern.data(), m) == 0) report(carry_offset + i);
      }
    }
    // Matches inside this chunk, with memmem (two-way search).
    const char* p = data.data();
    const char* end = data.data() + data.size();
    while (!stop && static_cast<size_t>(end - p) >= m) {
      const char* hit = static_cast<const char*>(memmem(p, static_cast<size_t>(end - p), pattern.data(), m));
      if (hit == nullptr) break;
      report(off + static_cast<uint64_t>(hit - data.data()));
      p = hit + 1;
    }
    // Keep the tail: a match may start there and end in the next chunk.
    size_t keep = std::min(data.size(), m - 1);
    if (data.size() >= m - 1) {
      carry.assign(end - keep, keep);
      carry_offset = off + data.size() - keep;
    } else {
      if (carry.empty()) carry_offset = off;
      carry.append(data.data(), data.size());
      if (carry.size() > m - 1) {
        carry_offset += carry.size() - (m - 1);
        carry.erase(0, carry.size() - (m - 1));
      }
    }
    return !stop;
  });
  return s;
}

}  // namespace ipckit
