#include "lib/signal/proc_status.h"

#include <errno.h>
#include <fcntl.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/io/fd.h"
#include "lib/io/unique_fd.h"
#include "lib/signal/names.h"

namespace ipckit::signal {

absl::StatusOr<SignalMasks> DecodeSignalMasks(absl::string_view status) {
  SignalMasks m;
  struct Field {
    const char* key;
    uint64_t* out;
    bool seen;
  } fields[] = {{"SigBlk", &m.blocked, false},
                {"SigIgn", &m.ignored, false},
                {"SigCgt", &m.caught, false},
                {"SigPnd", &m.pending, false},
                {"ShdPnd", &m.shared_pending, false}};
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    absl::string_view key = line.substr(0, colon);
    for (Field& f : fields) {
      if (key != f.key) continue;
      absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
      if (value.empty() || value.size() > 16 || !absl::SimpleHexAtoi(value, f.out)) {
        return absl::InvalidArgumentError(
            absl::StrCat("/proc status: bad ", f.key, " value '", value, "'"));
      }
      f.seen = true;
    }
  }
  for (const Field& f : fields) {
    if (!f.seen) return absl::InvalidArgumentError(absl::StrCat("/proc status: no ", f.key, " line"));
  }
  return m;
}

absl::StatusOr<SignalMasks> ReadSignalMasks(pid_t pid) {
  std::string path = absl::StrCat("/proc/", pid, "/status");
  absl::StatusOr<std::string> text = io::ReadFile(path);
  if (absl::IsNotFound(text.status())) return absl::NotFoundError(absl::StrCat("no process ", pid));
  if (!text.ok()) return text.status();
  return DecodeSignalMasks(*text);
}

std::vector<int> Members(uint64_t mask) {
  std::vector<int> out;
  for (int sig = 1; sig <= kMaxSignal; ++sig) {
    if (mask & (uint64_t{1} << (sig - 1))) out.push_back(sig);
  }
  return out;
}

uint64_t MaskOf(const std::vector<int>& signals) {
  uint64_t m = 0;
  for (int s : signals) {
    if (s >= 1 && s <= kMaxSignal) m |= uint64_t{1} << (s - 1);
  }
  return m;
}

std::string FormatSet(uint64_t mask) {
  std::vector<std::string> names;
  for (int s : Members(mask)) names.push_back(SignalName(s));
  return names.empty() ? "-" : absl::StrJoin(names, ",");
}

}  // namespace ipckit::signal
