#include "lib/hex/undump.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ipckit::hex {
namespace {

// kMaxOffset is the largest offset a file can have (off_t's maximum); xxd
// -r refuses larger ones too (they overflow its long).
constexpr uint64_t kMaxOffset = 0x7fffffffffffffffULL;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

absl::Status Undumper::Write(absl::string_view text) {
  for (;;) {
    size_t nl = text.find('\n');
    if (nl == absl::string_view::npos) break;
    absl::Status s;
    if (partial_.empty()) {
      s = Line(text.substr(0, nl));
    } else {
      partial_.append(text.data(), nl);
      s = Line(partial_);
      partial_.clear();
    }
    if (!s.ok()) return s;
    text.remove_prefix(nl + 1);
  }
  partial_.append(text.data(), text.size());
  return absl::OkStatus();
}

absl::Status Undumper::Finish() {
  if (!partial_.empty()) {
    absl::Status s = Line(partial_);
    partial_.clear();
    if (!s.ok()) return s;
  }
  if (half_ >= 0) return absl::InvalidArgumentError("odd number of hex digits");
  return absl::OkStatus();
}

absl::Status Undumper::Line(absl::string_view line) {
  ++line_no_;
  if (format_ == Format::kPlain) return PlainLine(line);
  return OffsetLine(line);
}

absl::Status Undumper::PlainLine(absl::string_view line) {
  for (char c : line) {
    if (absl::ascii_isspace(c)) continue;
    int v = HexValue(c);
    if (v < 0) {
      return InvalidDigit(c);
    }
    if (half_ < 0) {
      half_ = v;
    } else {
      char b = static_cast<char>(half_ * 16 + v);
      half_ = -1;
      absl::Status s = Emit(absl::string_view(&b, 1));
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status Undumper::InvalidDigit(char c) const {
  return absl::InvalidArgumentError(absl::StrCat("line ", line_no_, ": invalid hex digit '", absl::CHexEscape(std::string(1, c)), "'"));
}

absl::Status Undumper::Emit(absl::string_view bytes) {
  size_ += bytes.size();
  return sink_(bytes);
}

absl::Status Undumper::FillTo(uint64_t offset) {
  if (offset < size_) {
    return absl::InvalidArgumentError(absl::StrCat("line ", line_no_, ": offset 0x", absl::Hex(offset),
                                                   " is before the bytes so far (0x", absl::Hex(size_), ")"));
  }
  // A squeezed run repeats the line before it; a gap is zeros. Either goes
  // out in pieces of at most 64 KiB.
  std::string piece;
  if (repeat_ && !previous_.empty()) {
    while (piece.size() + previous_.size() <= 64 * 1024) piece.append(previous_);
    while (size_ + previous_.size() <= offset) {
      size_t n = std::min<uint64_t>(piece.size(), (offset - size_) / previous_.size() * previous_.size());
      absl::Status s = Emit(absl::string_view(piece.data(), n));
      if (!s.ok()) return s;
    }
  }
  repeat_ = false;
  piece.assign(64 * 1024, '\0');
  while (size_ < offset) {
    absl::Status s = Emit(absl::string_view(piece.data(), std::min<uint64_t>(piece.size(), offset - size_)));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// OffsetLine decodes "OFFSET: HEX...  TEXT" (xxd) or "OFFSET  HEX... |TEXT|"
// (hexdump -C), a lone "*" or a lone final offset (hexdump).
absl::Status Undumper::OffsetLine(absl::string_view line) {
  absl::string_view rest = absl::StripLeadingAsciiWhitespace(line);
  if (rest.empty()) return absl::OkStatus();
  if (absl::StripAsciiWhitespace(rest) == "*") {
    // hexdump: the line before repeats up to the next offset. xxd -a: lines
    // of zeros were left out; the next offset's gap is zeros anyway, as xxd
    // -r fills it.
    repeat_ = format_ == Format::kHexdump;
    return absl::OkStatus();
  }
  size_t end = 0;
  while (end < rest.size() && HexValue(rest[end]) >= 0) ++end;
  uint64_t offset = 0;
  if (end == 0 || end > 16 || !absl::SimpleHexAtoi(rest.substr(0, end), &offset)) {
    return absl::InvalidArgumentError(absl::StrCat("line ", line_no_, ": expected an offset"));
  }
  if (offset > kMaxOffset) {
    return absl::InvalidArgumentError(absl::StrCat("line ", line_no_, ": offset 0x", absl::Hex(offset),
                                                   " is past the largest file offset (0x", absl::Hex(kMaxOffset), ")"));
  }
  rest.remove_prefix(end);
  if (format_ == Format::kXxd) {
    if (rest.empty() || rest[0] != ':') return absl::InvalidArgumentError(absl::StrCat("line ", line_no_, ": expected ':'"));
    rest.remove_prefix(1);
  }
  absl::Status s = FillTo(offset);
  if (!s.ok()) return s;
  // Hex pairs, single spaces between groups; two spaces (or '|') end them.
  std::string bytes;
  size_t i = 0;
  while (i < rest.size()) {
    if (rest[i] == ' ') {
      if (i + 1 < rest.size() && rest[i + 1] == ' ' && !bytes.empty()) {
        // hexdump -C's two halves are parted by two spaces: go on there.
        if (format_ != Format::kHexdump || bytes.size() != 8) break;
      }
      ++i;
      continue;
    }
    if (rest[i] == '|') break;
    int hi = HexValue(rest[i]);
    if (hi < 0) return InvalidDigit(rest[i]);
    // A digit alone at the end of the line or of its group has no pair.
    if (i + 1 == rest.size() || rest[i + 1] == ' ' || rest[i + 1] == '|') {
      return absl::InvalidArgumentError(absl::StrCat("line ", line_no_, ": odd number of hex digits"));
    }
    int lo = HexValue(rest[i + 1]);
    if (lo < 0) return InvalidDigit(rest[i + 1]);
    bytes.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  if (!bytes.empty()) previous_ = bytes;
  return Emit(bytes);
}

}  // namespace ipckit::hex
