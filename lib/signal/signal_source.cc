#include "lib/signal/signal_source.h"

#include <errno.h>
#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "lib/io/eintr.h"

namespace ipckit::signal {

std::string CodeName(int code) {
  switch (code) {
    case SI_USER: return "SI_USER";
    case SI_KERNEL: return "SI_KERNEL";
    case SI_QUEUE: return "SI_QUEUE";
    case SI_TIMER: return "SI_TIMER";
    case SI_MESGQ: return "SI_MESGQ";
    case SI_ASYNCIO: return "SI_ASYNCIO";
    case SI_SIGIO: return "SI_SIGIO";
    case SI_TKILL: return "SI_TKILL";
    default: return absl::StrCat(code);
  }
}

absl::StatusOr<SignalSource> SignalSource::Create(const std::vector<int>& signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) {
    if (sigaddset(&set, s) != 0) return absl::InvalidArgumentError(absl::StrCat("bad signal ", s));
  }
  SignalSource src;
  int rc = ::pthread_sigmask(SIG_BLOCK, &set, &src.old_mask_);
  if (rc != 0) return absl::ErrnoToStatus(rc, "pthread_sigmask");
  src.restore_ = true;
  int fd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, "signalfd");
  src.fd_ = io::UniqueFd(fd);
  return src;
}

SignalSource::SignalSource(SignalSource&& other) noexcept
    : fd_(std::move(other.fd_)), old_mask_(other.old_mask_), restore_(other.restore_) {
  other.restore_ = false;
}

SignalSource::~SignalSource() {
  fd_.reset();
  if (restore_) ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

absl::StatusOr<std::vector<SignalInfo>> SignalSource::Read() {
  std::vector<SignalInfo> out;
  struct signalfd_siginfo buf[32];
  for (;;) {
    ssize_t n = io::RetryEintr([&] { return ::read(fd_.get(), buf, sizeof(buf)); });
    if (n < 0 && errno == EAGAIN) return out;
    if (n < 0) return absl::ErrnoToStatus(errno, "read signalfd");
    for (size_t i = 0; i < static_cast<size_t>(n) / sizeof(buf[0]); ++i) {
      const signalfd_siginfo& s = buf[i];
      out.push_back(SignalInfo{static_cast<int>(s.ssi_signo), s.ssi_code,
                               static_cast<pid_t>(s.ssi_pid), static_cast<uid_t>(s.ssi_uid),
                               s.ssi_int});
    }
    if (static_cast<size_t>(n) < sizeof(buf)) return out;
  }
}

}  // namespace ipckit::signal
