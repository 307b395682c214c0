#include "lib/mmap/hex_forms.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace ipckit::mmap {
namespace {

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

void PlainHexWriter::Write(absl::string_view data) {
  for (unsigned char b : data) {
    if (column_ == 30) {
      out_->push_back('\n');
      column_ = 0;
    }
    out_->push_back(kHex[b >> 4]);
    out_->push_back(kHex[b & 15]);
    ++column_;
  }
}

void PlainHexWriter::Finish() {
  if (column_ > 0) out_->push_back('\n');
  column_ = 0;
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

}  // namespace ipckit::mmap
