#include "lib/hex/traffic.h"

#include <ctype.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ipckit::hex {

std::string NcatHexLines(absl::string_view data) {
  std::string out;
  for (size_t at = 0; at < data.size(); at += 16) {
    absl::string_view line = data.substr(at, 16);
    absl::StrAppendFormat(&out, "%04x   ", at);
    for (size_t i = 0; i < 16; ++i) {
      if (i < line.size()) {
        absl::StrAppendFormat(&out, "%02x ", static_cast<unsigned char>(line[i]));
      } else {
        out += "   ";
      }
      if (i == 7) out += ' ';
    }
    out += ' ';
    for (size_t i = 0; i < 16; ++i) {
      unsigned char c = i < line.size() ? static_cast<unsigned char>(line[i]) : ' ';
      out += i >= line.size() ? ' ' : isgraph(c) ? static_cast<char>(c) : '.';
    }
    out += '\n';
  }
  return out;
}

std::string SocatBlock(char dir, absl::Time when, uint64_t offset, absl::string_view data) {
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

}  // namespace ipckit::hex
