#include "lib/mmap/dump.h"

#include <stdio.h>

namespace ipckit {
namespace {

constexpr char kHex[] = "0123456789abcdef";

char Printable(unsigned char c) { return c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '.'; }

void AppendHex8(std::string* out, uint64_t v) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%08llx", static_cast<unsigned long long>(v));
  out->append(buf);
}

}  // namespace

void HexDumper::Write(absl::string_view data) {
  while (!data.empty()) {
    size_t take = std::min(data.size(), 16 - line_.size());
    line_.append(data.data(), take);
    data.remove_prefix(take);
    if (line_.size() == 16) {
      Line(line_);
      offset_ += 16;
      line_.clear();
    }
  }
}

void HexDumper::Line(absl::string_view b) {
  if (format_ == Format::kHexdump && b.size() == 16) {
    if (any_ && b == previous_) {
      if (!squeezing_) out_->append("*\n");
      squeezing_ = true;
      return;
    }
    squeezing_ = false;
    previous_.assign(b.data(), b.size());
  }
  any_ = true;
  std::string& o = *out_;
  if (format_ == Format::kHexdump) {
    AppendHex8(&o, offset_);
    o.append("  ");
    for (size_t i = 0; i < 16; ++i) {
      if (i < b.size()) {
        unsigned char c = static_cast<unsigned char>(b[i]);
        o.push_back(kHex[c >> 4]);
        o.push_back(kHex[c & 15]);
        o.push_back(' ');
      } else {
        o.append("   ");
      }
      if (i == 7) o.push_back(' ');
    }
    o.append(" |");
    for (char c : b) o.push_back(Printable(static_cast<unsigned char>(c)));
    o.append("|\n");
  } else {
    AppendHex8(&o, offset_);
    o.append(": ");
    for (size_t i = 0; i < 16; ++i) {
      if (i < b.size()) {
        unsigned char c = static_cast<unsigned char>(b[i]);
        o.push_back(kHex[c >> 4]);
        o.push_back(kHex[c & 15]);
      } else {
        o.append("  ");
      }
      if (i % 2 == 1) o.push_back(' ');
    }
    o.push_back(' ');
    for (char c : b) o.push_back(Printable(static_cast<unsigned char>(c)));
    o.push_back('\n');
  }
}

void HexDumper::Finish(bool offset_even_if_empty) {
  if (!line_.empty()) {
    Line(line_);
    offset_ += line_.size();
    line_.clear();
  }
  if (format_ == Format::kHexdump && (any_ || offset_even_if_empty)) {
    AppendHex8(out_, offset_);
    out_->push_back('\n');
  }
}

}  // namespace ipckit
