#include "lib/net/listening_line.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ipckit::net {

std::string FormatListeningLine(absl::string_view address, absl::string_view transport) {
  return absl::StrCat("listening on ", address, " (", transport, ")");
}

std::string ListeningAddress(absl::string_view line) {
  line = absl::StripTrailingAsciiWhitespace(line);
  static constexpr absl::string_view kMarker = "listening on ";
  size_t at = line.find(kMarker);
  if (at != absl::string_view::npos) {
    absl::string_view rest = line.substr(at + kMarker.size());
    // socat -d -d: "listening on AF=2 0.0.0.0:41234", "AF=1 "/tmp/s.sock"":
    // the family number comes first, and a path is quoted.
    if (absl::StartsWith(rest, "AF=")) {
      size_t space = rest.find(' ');
      rest = space == absl::string_view::npos ? absl::string_view() : rest.substr(space + 1);
      if (absl::StartsWith(rest, "\"")) {
        size_t end = rest.find('"', 1);
        if (end != absl::string_view::npos) return std::string(rest.substr(1, end - 1));
      }
    }
    return std::string(rest.substr(0, rest.find_first_of(" \t")));
  }
  for (absl::string_view prefix : {"Listening on ", "Bound on "}) {
    if (!absl::StartsWith(line, prefix)) continue;
    absl::string_view rest = line.substr(prefix.size());
    std::vector<absl::string_view> words = absl::StrSplit(rest, ' ');
    int port = 0;
    if (words.size() == 2 && absl::SimpleAtoi(words[1], &port) && port > 0 && port < 65536) {
      bool v6 = absl::StrContains(words[0], ':');
      return absl::StrCat(v6 ? "[" : "", words[0], v6 ? "]" : "", ":", words[1]);
    }
    return std::string(rest);  // A socket path (which may hold spaces).
  }
  return "";
}

}  // namespace ipckit::net
