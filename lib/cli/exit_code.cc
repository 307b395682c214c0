#include "lib/cli/exit_code.h"

#include "absl/strings/cord.h"

namespace ipckit::cli {
namespace {

constexpr char kReportedUrl[] = "type.ipckit/reported";

}  // namespace

int ExitCode(const absl::Status& status, absl::Span<const ExitRule> rules) {
  if (status.ok()) return kExitOk;
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

}  // namespace ipckit::cli
