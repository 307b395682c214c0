#include "lib/hex/hex_forms.h"

#include <stdio.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace ipckit::hex {
namespace {

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

void PlainHexWriter::Write(absl::string_view data) {
  for (unsigned char b : data) {
    if (column_ == cols_) {
      out_->push_back('\n');
      column_ = 0;
    }
    out_->push_back(hex_[b >> 4]);
    out_->push_back(hex_[b & 15]);
    ++column_;
  }
}

void PlainHexWriter::Finish() {
  if (column_ > 0) out_->push_back('\n');
  column_ = 0;
}

// xxd's columns (xxd.c): byte p's digits start at addr + 1 + (width * x) /
// per_group, x being p (or p with its place in the group reversed, -e);
// its character at addr + 3 + (width * cols - 1) / per_group + p. A group
// of 0 or wider than the line is the whole line, as xxd cuts it. Each byte
// writes its digits and then its character in order, into a line of
// spaces, and the line ends after the last character: where -e's reversed
// places land past the line or on the characters (a group that does not
// divide the line), the result is xxd's, byte for byte.
XxdWriter::XxdWriter(const XxdLayout& layout, uint64_t start, std::string* out)
    : l_(layout), offset_(start), out_(out) {
  per_group_ = EffectiveGroup(l_);
  group_width_ = per_group_ * (l_.bits ? 8 : 2) + 1;
}

int EffectiveGroup(const XxdLayout& layout) {
  return layout.group < 1 || layout.group > layout.cols ? layout.cols : layout.group;
}

void XxdWriter::Write(absl::string_view data) {
  for (unsigned char b : data) Byte(b);
}

void XxdWriter::Byte(unsigned char b) {
  if (count_ == 0) {
    char addr[24];
    addr_ = static_cast<size_t>(snprintf(addr, sizeof(addr), "%08llx:", static_cast<unsigned long long>(offset_)));
    // Room for the characters, and for digits whose reversed place (-e: p
    // with its low bits flipped, below twice the line) lies past them.
    size_t text_end = addr_ + 4 + static_cast<size_t>((group_width_ * l_.cols - 1) / per_group_ + l_.cols);
    size_t hex_end = addr_ + 2 + static_cast<size_t>((group_width_ * 2 * l_.cols) / per_group_) + 8;
    line_.assign(std::max(text_end, hex_end), ' ');
    line_.replace(0, addr_, addr);
  }
  const char* hex = l_.upper ? "0123456789ABCDEF" : "0123456789abcdef";
  int x = l_.little_endian ? count_ ^ (per_group_ - 1) : count_;
  size_t c = addr_ + 1 + static_cast<size_t>((group_width_ * x) / per_group_);
  if (l_.bits) {
    for (int i = 7; i >= 0; --i) line_[c++] = (b >> i) & 1 ? '1' : '0';
  } else {
    line_[c] = hex[b >> 4];
    line_[c + 1] = hex[b & 15];
  }
  line_[addr_ + 3 + static_cast<size_t>((group_width_ * l_.cols - 1) / per_group_ + count_)] =
      b >= 0x20 && b < 0x7f ? static_cast<char>(b) : '.';
  if (++count_ == l_.cols) EndLine();
}

void XxdWriter::EndLine() {
  size_t end = addr_ + 3 + static_cast<size_t>((group_width_ * l_.cols - 1) / per_group_ + count_);
  out_->append(line_, 0, end);
  out_->push_back('\n');
  offset_ += static_cast<uint64_t>(count_);
  count_ = 0;
}

void XxdWriter::Finish() {
  if (count_ > 0) EndLine();
}

std::string CIncludeName(absl::string_view path) {
  std::string name;
  if (!path.empty() && absl::ascii_isdigit(path[0])) name = "__";
  for (char c : path) name.push_back(absl::ascii_isalnum(c) ? c : '_');
  return name;
}

void CIncludeWriter::Write(absl::string_view data) {
  if (!started_ && !name_.empty()) absl::StrAppend(out_, "unsigned char ", name_, "[] = {\n");
  started_ = true;
  for (unsigned char b : data) {
    if (count_ > 0) out_->append(count_ % 12 == 0 ? ",\n" : ", ");
    if (count_ % 12 == 0) out_->append("  ");
    out_->append({'0', 'x', kHex[b >> 4], kHex[b & 15]});
    ++count_;
  }
}

void CIncludeWriter::Finish() {
  Write("");
  if (count_ > 0) out_->push_back('\n');
  if (!name_.empty()) absl::StrAppend(out_, "};\nunsigned int ", name_, "_len = ", count_, ";\n");
}

}  // namespace ipckit::hex
