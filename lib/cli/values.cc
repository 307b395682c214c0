#include "lib/cli/values.h"

#include <charconv>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace ipckit::cli {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// SplitNumber splits `text` into its leading decimal digits and the unit
// that follows them; false when it has no leading digit.
bool SplitNumber(absl::string_view text, absl::string_view* number, absl::string_view* unit) {
  size_t i = 0;
  while (i < text.size() && IsDigit(text[i])) ++i;
  if (i == 0) return false;
  *number = text.substr(0, i);
  *unit = text.substr(i);
  return true;
}

}  // namespace

absl::StatusOr<int64_t> ParseInt(absl::string_view text, int64_t min, int64_t max) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ptr != end || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid integer '", text, "'"));
  }
  if (ec == std::errc::result_out_of_range || value < min || value > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is out of range (", min, " to ", max, ")"));
  }
  return value;
}

absl::StatusOr<absl::Duration> ParseDuration(absl::string_view text) {
  // absl::ParseDuration does the work; this keeps what the tools promise
  // beyond it: a bare number is seconds, and nothing is negative.
  auto invalid = [&] {
    return absl::InvalidArgumentError(absl::StrCat("invalid duration '", text, "' (use e.g. 250ms, 5s, 2m, 1.5h)"));
  };
  if (text.empty() || text[0] == '-' || text[0] == '+') return invalid();
  std::string spelled(text);
  if (text.find_first_not_of("0123456789.") == absl::string_view::npos) spelled += "s";
  absl::Duration d;
  if (!absl::ParseDuration(spelled, &d)) return invalid();
  if (d == absl::InfiniteDuration() && text != "inf") {
    return absl::InvalidArgumentError(absl::StrCat("duration '", text, "' is too large"));
  }
  return d;
}

absl::StatusOr<uint64_t> ParseSize(absl::string_view text, uint64_t max) {
  auto invalid = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid size '", text, "' (use e.g. 512, 64K, 1M, 2G)"));
  };
  absl::string_view number, unit;
  if (!SplitNumber(text, &number, &unit)) return invalid();
  int shift = 0;
  std::string u = absl::AsciiStrToUpper(unit);
  if (!u.empty() && u != "B") {
    switch (u[0]) {
      case 'K': shift = 10; break;
      case 'M': shift = 20; break;
      case 'G': shift = 30; break;
      case 'T': shift = 40; break;
      default: return invalid();
    }
    absl::string_view rest = absl::string_view(u).substr(1);
    if (!rest.empty() && rest != "B" && rest != "IB") return invalid();
  }
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  (void)ptr;
  auto too_large = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("size '", text, "' is too large (at most ", max, ")"));
  };
  if (ec == std::errc::result_out_of_range) return too_large();
  if (ec != std::errc()) return invalid();
  if (shift > 0 && value > (std::numeric_limits<uint64_t>::max() >> shift)) return too_large();
  value <<= shift;
  if (value > max) return too_large();
  return value;
}

}  // namespace ipckit::cli
