#include "lib/cli/values.h"

#include <charconv>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace ipckit::cli {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// SplitNumber splits `text` into a leading decimal number (digits with at
// most one '.', when `allow_fraction`) and the unit that follows it.
bool SplitNumber(absl::string_view text, bool allow_fraction, absl::string_view* number,
                 absl::string_view* unit) {
  size_t i = 0;
  bool digits = false, dot = false;
  for (; i < text.size(); ++i) {
    if (IsDigit(text[i])) {
      digits = true;
    } else if (text[i] == '.' && allow_fraction && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!digits) return false;
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
  auto invalid = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid duration '", text, "' (use e.g. 250ms, 5s, 2m, 1.5h)"));
  };
  if (text == "inf") return absl::InfiniteDuration();
  absl::string_view number, unit;
  if (!SplitNumber(text, /*allow_fraction=*/true, &number, &unit)) return invalid();
  absl::Duration scale;
  if (unit.empty() || unit == "s") {
    scale = absl::Seconds(1);
  } else if (unit == "ms") {
    scale = absl::Milliseconds(1);
  } else if (unit == "us") {
    scale = absl::Microseconds(1);
  } else if (unit == "ns") {
    scale = absl::Nanoseconds(1);
  } else if (unit == "m") {
    scale = absl::Minutes(1);
  } else if (unit == "h") {
    scale = absl::Hours(1);
  } else {
    return invalid();
  }
  // Whole and fractional parts separately, so "0.1s" is exactly 100ms.
  absl::string_view whole = number.substr(0, number.find('.'));
  absl::string_view frac =
      number.find('.') == absl::string_view::npos ? "" : number.substr(number.find('.') + 1);
  absl::StatusOr<int64_t> w = whole.empty() ? absl::StatusOr<int64_t>(0) : ParseInt(whole, 0);
  if (!w.ok()) return invalid();
  absl::Duration d = scale * *w;
  if (d == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat("duration '", text, "' is too large"));
  }
  absl::Duration unit_part = scale;
  for (char c : frac) {
    unit_part /= 10;
    d += unit_part * (c - '0');
  }
  return d;
}

absl::StatusOr<uint64_t> ParseSize(absl::string_view text, uint64_t max) {
  auto invalid = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid size '", text, "' (use e.g. 512, 64K, 1M, 2G)"));
  };
  absl::string_view number, unit;
  if (!SplitNumber(text, /*allow_fraction=*/false, &number, &unit)) return invalid();
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
