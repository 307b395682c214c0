#include "lib/process/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "lib/io/fd.h"

namespace ipckit::process {

absl::StatusOr<Daemon> Daemon::Start() {
  absl::StatusOr<io::Pipe> p = io::MakePipe(O_CLOEXEC);
  if (!p.ok()) return p.status();
  pid_t pid = ::fork();
  if (pid < 0) return absl::ErrnoToStatus(errno, "fork");
  Daemon d;
  if (pid == 0) {
    ::setsid();
    d.report_ = std::move(p->write);
    return d;
  }
  d.parent_ = true;
  d.child_ = pid;
  p->write.reset();
  absl::StatusOr<std::string> report = io::ReadToEnd(p->read.get(), "read daemon report");
  if (!report.ok()) {
    d.child_status_ = report.status();
  } else if (*report == "ready") {
    d.child_status_ = absl::OkStatus();
  } else {
    // Nothing reported: it died; reap it so that it is not left a zombie.
    if (report->empty()) {
      int wstatus = 0;
      ::waitpid(pid, &wstatus, 0);
      d.child_status_ = absl::UnavailableError("daemon exited before it was ready");
    } else {
      ::waitpid(pid, nullptr, 0);  // It exits after Fail.
      d.child_status_ = absl::UnavailableError(report->substr(report->find(' ') + 1));
    }
  }
  return d;
}

absl::Status Daemon::Ready(const std::string& pid_file) {
  if (!pid_file.empty()) {
    absl::Status s = io::WriteFileAtomically(pid_file, absl::StrCat(::getpid(), "\n"));
    if (!s.ok()) {
      Fail(s);
      return s;
    }
  }
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    for (int fd : {0, 1, 2}) ::dup2(null, fd);
    ::close(null);
  }
  (void)io::WriteAll(report_.get(), "ready", "daemon report");
  report_.reset();
  return absl::OkStatus();
}

void Daemon::Fail(const absl::Status& status) {
  (void)io::WriteAll(report_.get(), absl::StrCat("fail ", status.message()), "daemon report");
  report_.reset();
}

}  // namespace ipckit::process
