#include "lib/hex/dump.h"

#include <string.h>

#include <algorithm>

namespace ipckit::hex {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// kLineMax bounds a formatted line: at most 16 offset digits + 2 + 16 * 3 +
// 2 + 16 + 2 = 86 bytes.
constexpr size_t kLineMax = 88;

// Tables: two hex digits and the printable form of every byte.
struct Tables {
  char pair[256][2];
  char printable[256];
  Tables() {
    for (int b = 0; b < 256; ++b) {
      pair[b][0] = kHex[b >> 4];
      pair[b][1] = kHex[b & 15];
      printable[b] = b >= 0x20 && b < 0x7f ? static_cast<char>(b) : '.';
    }
  }
};
const Tables& T() {
  static const Tables t;
  return t;
}

// PutHex8 writes `v` as at least 8 lowercase hex digits and returns the end.
char* PutHex8(char* p, uint64_t v) {
  if (v <= 0xffffffff) {
    const Tables& t = T();
    memcpy(p, t.pair[(v >> 24) & 0xff], 2);
    memcpy(p + 2, t.pair[(v >> 16) & 0xff], 2);
    memcpy(p + 4, t.pair[(v >> 8) & 0xff], 2);
    memcpy(p + 6, t.pair[v & 0xff], 2);
    return p + 8;
  }
  int digits = 8;
  while (digits < 16 && (v >> (4 * digits)) != 0) ++digits;
  for (int i = digits - 1; i >= 0; --i) *p++ = kHex[(v >> (4 * i)) & 15];
  return p;
}

void AppendHex8(std::string* out, uint64_t v) {
  char buf[16];
  out->append(buf, static_cast<size_t>(PutHex8(buf, v) - buf));
}

}  // namespace

void HexDumper::Write(absl::string_view data) {
  // Complete the line being collected, then format whole lines straight
  // from `data`, and keep what is left for the next call.
  if (!line_.empty()) {
    size_t take = std::min(data.size(), 16 - line_.size());
    line_.append(data.data(), take);
    data.remove_prefix(take);
    if (line_.size() < 16) return;
    FullLines(line_);
    line_.clear();
  }
  size_t whole = data.size() / 16 * 16;
  FullLines(data.substr(0, whole));
  line_.assign(data.data() + whole, data.size() - whole);
}

void HexDumper::FullLines(absl::string_view data) {
  if (data.empty()) return;
  const size_t at = out_->size();
  out_->resize(at + data.size() / 16 * kLineMax);
  char* const start = &(*out_)[at];
  char* p = start;
  const char* previous = any_ && previous_.size() == 16 ? previous_.data() : nullptr;
  for (size_t i = 0; i < data.size(); i += 16, offset_ += 16) {
    const char* b = data.data() + i;
    if (format_ == Format::kHexdump && squeeze_) {
      if (previous != nullptr && memcmp(previous, b, 16) == 0) {
        if (!squeezing_) {
          *p++ = '*';
          *p++ = '\n';
        }
        squeezing_ = true;
        continue;
      }
      squeezing_ = false;
      previous = b;
    }
    p = FormatLine(p, absl::string_view(b, 16));
  }
  any_ = true;
  if (previous != nullptr && previous != previous_.data()) previous_.assign(previous, 16);
  out_->resize(at + static_cast<size_t>(p - start));
}

char* HexDumper::FormatLine(char* p, absl::string_view line) const {
  // hexdump: "OOOOOOOO  hh hh hh hh hh hh hh hh  hh hh ... hh  |ascii|"
  // xxd:     "OOOOOOOO: hhhh hhhh ... hhhh  ascii"
  // A short (last) line keeps the columns, with spaces for missing bytes.
  const Tables& t = T();
  const auto* b = reinterpret_cast<const unsigned char*>(line.data());
  const size_t n = line.size();
  p = PutHex8(p, offset_);
  if (format_ == Format::kHexdump) {
    *p++ = ' ';
    for (size_t j = 0; j < 16; ++j) {
      p[0] = ' ';
      memcpy(p + 1, j < n ? t.pair[b[j]] : "  ", 2);
      p += 3;
      if (j == 7) *p++ = ' ';
    }
    memcpy(p, "  |", 3);
    p += 3;
  } else {
    *p++ = ':';
    for (size_t j = 0; j < 16; j += 2) {
      p[0] = ' ';
      memcpy(p + 1, j < n ? t.pair[b[j]] : "  ", 2);
      memcpy(p + 3, j + 1 < n ? t.pair[b[j + 1]] : "  ", 2);
      p += 5;
    }
    *p++ = ' ';
    *p++ = ' ';
  }
  for (size_t j = 0; j < n; ++j) p[j] = t.printable[b[j]];
  p += n;
  if (format_ == Format::kHexdump) *p++ = '|';
  *p++ = '\n';
  return p;
}

void HexDumper::Finish(bool offset_even_if_empty) {
  if (!line_.empty()) {
    char buf[kLineMax];
    out_->append(buf, static_cast<size_t>(FormatLine(buf, line_) - buf));
    any_ = true;
    offset_ += line_.size();
    line_.clear();
  }
  if (format_ == Format::kHexdump && (any_ || offset_even_if_empty)) {
    AppendHex8(out_, offset_);
    out_->push_back('\n');
  }
}

}  // namespace ipckit::hex
