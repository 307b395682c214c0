#include "lib/cli/exit_code.h"

#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ipckit::cli {
namespace {

constexpr char kReportedUrl[] = "type.ipckit/reported";
constexpr char kExitUrl[] = "type.ipckit/exit";

}  // namespace

int ExitCode(const absl::Status& status, absl::Span<const ExitRule> rules) {
  if (status.ok()) return kExitOk;
  if (auto exit = status.GetPayload(kExitUrl)) {
    int code = kExitFailure;
    if (absl::SimpleAtoi(std::string(*exit), &code)) return code;
  }
  for (const ExitRule& r : rules) {
    if (r.code == status.code()) return r.exit;
  }
  return kExitFailure;
}

absl::Status Reported(absl::Status status) {
  status.SetPayload(kReportedUrl, absl::Cord("1"));
  return status;
}

bool IsReported(const absl::Status& status) { return status.GetPayload(kReportedUrl).has_value(); }

absl::Status ExitWith(int code) {
  if (code == kExitOk) return absl::OkStatus();
  absl::Status s = Reported(absl::UnknownError(absl::StrCat("exit ", code)));
  s.SetPayload(kExitUrl, absl::Cord(absl::StrCat(code)));
  return s;
}

}  // namespace ipckit::cli
