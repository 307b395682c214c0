#include "tools/relay/dump.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ipckit::relay_tool {

std::string FormatDump(char dir, absl::Time when, uint64_t offset, absl::string_view data) {
  std::string out = absl::StrCat(std::string(1, dir), " ",
                                 absl::FormatTime("%Y/%m/%d %H:%M:%E6S", when, absl::LocalTimeZone()),
                                 "  length=", data.size(), " from=", offset, " to=", offset + data.size() - 1, "\n");
  for (size_t line = 0; line < data.size(); line += 16) {
    absl::string_view piece = data.substr(line, 16);
    std::string hex, text;
    for (char c : piece) {
      absl::StrAppendFormat(&hex, " %02x", static_cast<unsigned char>(c));
      text.push_back(c >= 0x20 && c < 0x7f ? c : '.');
    }
    absl::StrAppendFormat(&out, "%-48s  %s\n", hex, text);
  }
  out += "--\n";
  return out;
}

absl::StatusOr<size_t> DumpStream::Read(absl::Span<char> buf) {
  absl::StatusOr<size_t> n = inner()->Read(buf);
  if (n.ok() && *n > 0) {
    sink_(FormatDump(dir_, absl::Now(), offset_, absl::string_view(buf.data(), *n)));
    offset_ += *n;
  }
  return n;
}

}  // namespace ipckit::relay_tool
