#include "lib/process/exit_status.h"

#include <sys/wait.h>

#include "absl/strings/str_cat.h"
#include "lib/signal/names.h"

namespace ipckit::process {

ExitStatus ExitStatus::FromWaitStatus(int wstatus) {
  if (WIFSIGNALED(wstatus)) return Signaled(WTERMSIG(wstatus), WCOREDUMP(wstatus));
  return Exited(WEXITSTATUS(wstatus));
}

std::string ExitStatus::ToString() const {
  if (signal == 0) return absl::StrCat("exit=", code);
  return absl::StrCat("signal=", signal::SignalName(signal));
}

std::string ExitStatus::Describe() const {
  if (signal == 0) return absl::StrCat("exited with status ", code);
  return absl::StrCat("killed by signal ", signal);
}

}  // namespace ipckit::process
