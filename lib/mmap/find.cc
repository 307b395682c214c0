#include "lib/mmap/find.h"

#include <stddef.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <string>

namespace ipckit::mmap {
namespace {

#if defined(__x86_64__)
// SearchAvx2 is Search's loop 32 positions at a time, for CPUs with AVX2
// (chosen at run time); it returns where it stopped if it found nothing.
__attribute__((target("avx2"))) const char* SearchAvx2(const char* p, const char* end, const char* pat,
                                                       size_t m, bool* found) {
  const __m256i first = _mm256_set1_epi8(pat[0]);
  const __m256i last = _mm256_set1_epi8(pat[m - 1]);
  while (end - p >= static_cast<ptrdiff_t>(m + 31)) {
    __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + m - 1));
    unsigned mask = static_cast<unsigned>(
        _mm256_movemask_epi8(_mm256_and_si256(_mm256_cmpeq_epi8(a, first), _mm256_cmpeq_epi8(b, last))));
    while (mask != 0) {
      int i = __builtin_ctz(mask);
      if (memcmp(p + i + 1, pat + 1, m - 2) == 0) {
        *found = true;
        return p + i;
      }
      mask &= mask - 1;
    }
    p += 32;
  }
  *found = false;
  return p;
}

// HaveAvx2 reports whether this CPU has AVX2 (asked once).
bool HaveAvx2() {
  static const bool have = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return have;
}
#endif

// Search returns the first occurrence of `pat` (size m >= 1) in [p, end), or
// nullptr. On x86-64 it compares the pattern's first and last bytes against
// 32 (AVX2) or 16 (SSE2) positions at a time and verifies only where both
// match (W. Mula's "SIMD-friendly" search); elsewhere, and for the last few
// bytes, it is memmem(3).
const char* Search(const char* p, const char* end, const char* pat, size_t m) {
#if defined(__x86_64__)
  if (m >= 2) {
    if (HaveAvx2()) {
      bool found;
      p = SearchAvx2(p, end, pat, m, &found);
      if (found) return p;
    }
    const __m128i first = _mm_set1_epi8(pat[0]);
    const __m128i last = _mm_set1_epi8(pat[m - 1]);
    while (end - p >= static_cast<ptrdiff_t>(m + 15)) {
      __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + m - 1));
      unsigned mask = static_cast<unsigned>(
          _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last))));
      while (mask != 0) {
        int i = __builtin_ctz(mask);
        if (memcmp(p + i + 1, pat + 1, m - 2) == 0) return p + i;
        mask &= mask - 1;
      }
      p += 16;
    }
  }
#endif
  if (end - p < static_cast<ptrdiff_t>(m)) return nullptr;
  return static_cast<const char*>(memmem(p, static_cast<size_t>(end - p), pat, m));
}

// Matcher finds a pattern whose bytes may be masked. Without a mask (or an
// all-0xff one) it is Search; with one, it searches for the longest run of
// exact bytes and checks the rest where that run is found, or, with no
// exact byte at all, tries every position.
class Matcher {
 public:
  Matcher(absl::string_view pattern, absl::string_view mask) : pattern_(pattern), mask_(mask) {
    exact_ = mask_.empty() || std::all_of(mask_.begin(), mask_.end(), [](char c) { return c == '\xff'; });
    if (exact_) return;
    for (size_t i = 0; i < mask_.size();) {
      size_t j = i;
      while (j < mask_.size() && mask_[j] == '\xff') ++j;
      if (j - i > run_len_) run_off_ = i, run_len_ = j - i;
      i = j + 1;
    }
  }

  // At reports whether the pattern matches at p (p[0, size) readable).
  bool At(const char* p) const {
    if (exact_) return memcmp(p, pattern_.data(), pattern_.size()) == 0;
    for (size_t i = 0; i < pattern_.size(); ++i) {
      if (((p[i] ^ pattern_[i]) & mask_[i]) != 0) return false;
    }
    return true;
  }

  // Next returns the first match starting in [p, end - size], or nullptr.
  const char* Next(const char* p, const char* end) const {
    const size_t m = pattern_.size();
    if (exact_) return Search(p, end, pattern_.data(), m);
    for (;;) {
      if (end - p < static_cast<ptrdiff_t>(m)) return nullptr;
      const char* candidate = p;
      if (run_len_ > 0) {
        const char* hit = Search(p + run_off_, end - (m - run_off_ - run_len_), pattern_.data() + run_off_, run_len_);
        if (hit == nullptr) return nullptr;
        candidate = hit - run_off_;
      }
      if (At(candidate)) return candidate;
      p = candidate + 1;
    }
  }

 private:
  absl::string_view pattern_, mask_;
  bool exact_ = true;
  size_t run_off_ = 0, run_len_ = 0;  // The longest run of exact bytes.
};

}  // namespace

absl::Status Find(const MappedFile& file, absl::string_view pattern, const FindOptions& options,
                  const std::function<bool(uint64_t)>& on_match) {
  if (pattern.empty()) return absl::InvalidArgumentError("empty pattern");
  if (!options.mask.empty() && options.mask.size() != pattern.size()) {
    return absl::InvalidArgumentError("mask and pattern differ in length");
  }
  const Matcher matcher(pattern, options.mask);
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
    if (options.progress) options.progress(off + data.size());
    // Matches that start in the carry and end in this chunk.
    if (!carry.empty()) {
      std::string joined = carry;
      joined.append(data.data(), std::min(data.size(), m - 1));
      for (size_t i = 0; i + m <= joined.size() && i < carry.size() && !stop; ++i) {
        if (matcher.At(joined.data() + i)) report(carry_offset + i);
      }
    }
    // Matches inside this chunk, with memmem (two-way search).
    const char* p = data.data();
    const char* end = data.data() + data.size();
    while (!stop && static_cast<size_t>(end - p) >= m) {
      const char* hit = matcher.Next(p, end);
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

absl::StatusOr<std::optional<uint64_t>> RFind(const MappedFile& file, absl::string_view pattern,
                                              uint64_t offset, uint64_t length, absl::string_view mask) {
  std::optional<uint64_t> last;
  auto keep_last = [&](uint64_t at) {
    last = at;
    return true;
  };
  FindOptions o;
  o.mask = std::string(mask);
  if (file.streamed()) {
    o.offset = offset;
    o.length = length;
    absl::Status s = Find(file, pattern, o, keep_last);
    if (!s.ok()) return s;
    return last;
  }
  if (pattern.empty()) return absl::InvalidArgumentError("empty pattern");
  const uint64_t size = file.size();
  const uint64_t begin = std::min(offset, size);
  const uint64_t end = length > size - begin ? size : begin + length;
  // Search [lo, hi) for matches that start there; they may end up to m-1
  // bytes past hi. Windows step back from the end.
  for (uint64_t hi = end; hi > begin;) {
    uint64_t lo = hi - begin > MappedFile::kWindow ? hi - MappedFile::kWindow : begin;
    o.offset = lo;
    o.length = std::min(end, hi + pattern.size() - 1) - lo;
    absl::Status s = Find(file, pattern, o, [&](uint64_t at) { return at < hi && keep_last(at); });
    if (!s.ok()) return s;
    if (last.has_value()) return last;
    hi = lo;
  }
  return last;
}

}  // namespace ipckit::mmap
