#include "tools/fmap/pages.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ipckit::fmap {
namespace {

// Merge sorts `runs` and joins those that touch or overlap.
std::vector<mmap::PageRun> Merge(std::vector<mmap::PageRun> runs) {
  std::sort(runs.begin(), runs.end(), [](const mmap::PageRun& a, const mmap::PageRun& b) { return a.first < b.first; });
  std::vector<mmap::PageRun> out;
  for (const mmap::PageRun& r : runs) {
    if (!out.empty() && r.first <= out.back().first + out.back().count) {
      uint64_t end = std::max(out.back().first + out.back().count, r.first + r.count);
      out.back().count = end - out.back().first;
    } else {
      out.push_back(r);
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<mmap::PageRun>> ParsePages(absl::string_view text) {
  std::vector<mmap::PageRun> runs;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    std::vector<absl::string_view> ends = absl::StrSplit(part, absl::MaxSplits('-', 1));
    uint64_t a = 0, b = 0;
    bool ok = absl::SimpleAtoi(ends[0], &a) && (ends.size() == 1 ? (b = a, true) : absl::SimpleAtoi(ends[1], &b));
    if (!ok || b < a || ends[0].empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--pages: expected A-B[,C-D...], got '", text, "'"));
    }
    runs.push_back({a, b - a + 1});
  }
  return Merge(std::move(runs));
}

absl::StatusOr<std::vector<mmap::PageRun>> ParseRangesOutput(absl::string_view text) {
  // Number reads the decimal number at the start of `s`, and consumes it.
  auto number = [](absl::string_view* s, uint64_t* out) {
    size_t n = 0;
    while (n < s->size() && absl::ascii_isdigit((*s)[n])) ++n;
    if (n == 0 || !absl::SimpleAtoi(s->substr(0, n), out)) return false;
    s->remove_prefix(n);
    return true;
  };
  std::vector<mmap::PageRun> runs;
  // Text: "(pages A-B)".
  for (size_t at = text.find("(pages "); at != absl::string_view::npos; at = text.find("(pages ", at + 1)) {
    absl::string_view s = text.substr(at + 7);
    uint64_t a = 0, b = 0;
    if (number(&s, &a) && absl::ConsumePrefix(&s, "-") && number(&s, &b) && absl::StartsWith(s, ")") && b >= a) {
      runs.push_back({a, b - a + 1});
    }
  }
  // JSON: "first_page":A,"pages":N.
  for (size_t at = text.find("\"first_page\":"); at != absl::string_view::npos;
       at = text.find("\"first_page\":", at + 1)) {
    absl::string_view s = text.substr(at + 13);
    uint64_t a = 0, n = 0;
    if (number(&s, &a) && absl::ConsumePrefix(&s, ",\"pages\":") && number(&s, &n) && n > 0) runs.push_back({a, n});
  }
  if (runs.empty()) return absl::InvalidArgumentError("--pages-from: no page ranges");
  return Merge(std::move(runs));
}

ByteRange PageBytes(const mmap::PageRun& run, uint64_t page_size, uint64_t size) {
  uint64_t begin = std::min(size, run.first * page_size);
  uint64_t end = std::min(size, (run.first + run.count) * page_size);
  return {begin, end - begin};
}

std::pair<uint64_t, uint64_t> Count(const std::vector<mmap::PageRun>& runs, uint64_t pages,
                                    const std::vector<mmap::PageRun>& resident) {
  uint64_t total = 0, in_cache = 0;
  for (const mmap::PageRun& r : runs) {
    uint64_t a = std::min(r.first, pages), b = std::min(r.first + r.count, pages);
    total += b - a;
    for (const mmap::PageRun& c : resident) {
      uint64_t lo = std::max(a, c.first), hi = std::min(b, c.first + c.count);
      if (lo < hi) in_cache += hi - lo;
    }
  }
  return {total, in_cache};
}

}  // namespace ipckit::fmap
