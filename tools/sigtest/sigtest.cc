#include "tools/sigtest/sigtest.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/cli/exit_code.h"
#include "lib/io/eintr.h"
#include "lib/json/json_writer.h"
#include "lib/io/fd.h"
#include "lib/signal/names.h"
#include "lib/signal/proc_status.h"
#include "lib/signal/signal_source.h"

namespace ipckit::sigtest {

using ::ipckit::json::JsonWriter;
namespace {

using signal::SignalName;

double Clock(clockid_t id) {
  struct timespec ts;
  ::clock_gettime(id, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// SendByPidfd sends `sig` through a pidfd, so a recycled PID cannot be hit;
// it returns false where the kernel has no pidfds.
bool SendByPidfd(pid_t pid, int sig, absl::Status* result) {
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_send_signal)
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0 && errno == ENOSYS) return false;
  if (fd < 0) {
    *result = absl::ErrnoToStatus(errno, absl::StrCat("kill ", pid));
    return true;
  }
  io::UniqueFd owned(fd);
  if (::syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0) != 0) {
    if (errno == ENOSYS) return false;
    *result = absl::ErrnoToStatus(errno, absl::StrCat("kill ", pid));
    return true;
  }
  *result = absl::OkStatus();
  return true;
#else
  (void)pid;
  (void)sig;
  (void)result;
  return false;
#endif
}

}  // namespace

absl::Status List(const std::vector<SignalQuery>& queries, bool json, std::ostream& out) {
  if (queries.empty()) {
    JsonWriter j;
    j.BeginArray();
    for (int sig = 1; sig <= signal::kMaxSignal; ++sig) {
      if (signal::IsLibcInternal(sig)) continue;
      const char* action = signal::ActionName(signal::DefaultAction(sig));
      if (json) {
        j.BeginObject().Key("number").Int(sig).Key("name").String(SignalName(sig)).Key("action").String(action)
            .EndObject();
      } else {
        out << absl::StrFormat("%2d %-9s %s\n", sig, SignalName(sig), action);
      }
    }
    if (json) out << j.EndArray().str() << "\n";
    return absl::OkStatus();
  }
  for (const SignalQuery& q : queries) {
    if (json) {
      out << JsonWriter().BeginObject().Key("number").Int(q.signal).Key("name").String(SignalName(q.signal))
                 .EndObject().str()
          << "\n";
    } else if (q.by_number) {
      out << SignalName(q.signal) << "\n";
    } else {
      out << q.signal << "\n";
    }
  }
  return absl::OkStatus();
}

namespace {

// SendOne sends `sig` to one parsed target (see Send).
absl::Status SendOne(int sig, int target, const std::optional<int>& value) {
  if (value.has_value()) {
    union sigval v;
    v.sival_int = *value;
    if (::sigqueue(target, sig, v) != 0) return absl::ErrnoToStatus(errno, absl::StrCat("sigqueue ", target));
    return absl::OkStatus();
  }
  if (target < 0) {
    if (::killpg(-target, sig) != 0) return absl::ErrnoToStatus(errno, absl::StrCat("killpg ", -target));
    return absl::OkStatus();
  }
  absl::Status s;
  if (SendByPidfd(target, sig, &s)) return s;
  if (::kill(target, sig) != 0) return absl::ErrnoToStatus(errno, absl::StrCat("kill ", target));
  return absl::OkStatus();
}

}  // namespace

absl::Status Send(const SendPlan& o, std::ostream& err) {
  const std::vector<int>& targets = o.targets;
  int sig = o.signal;
  int failed = 0;
  for (int target : targets) {
    absl::Status s = SendOne(sig, target, o.value);
    if (!s.ok()) {
      err << "sigtest send: " << s.message() << "\n";
      ++failed;
    }
  }
  if (failed == 0) return absl::OkStatus();
  return cli::Reported(absl::UnavailableError(absl::StrCat(failed, " of ", targets.size(), " targets failed")));
}

absl::Status Mask(pid_t pid, bool json, std::ostream& out) {
  absl::StatusOr<signal::SignalMasks> m = signal::ReadSignalMasks(pid);
  if (!m.ok()) return m.status();
  using signal::FormatSet;
  if (json) {
    out << JsonWriter()
               .BeginObject()
               .Key("pid").Int(pid)
               .Key("blocked").String(FormatSet(m->blocked))
               .Key("ignored").String(FormatSet(m->ignored))
               .Key("caught").String(FormatSet(m->caught))
               .Key("pending").String(FormatSet(m->pending))
               .Key("shared_pending").String(FormatSet(m->shared_pending))
               .EndObject()
               .str()
        << "\n";
  } else {
    out << "blocked:        " << FormatSet(m->blocked) << "\n"
        << "ignored:        " << FormatSet(m->ignored) << "\n"
        << "caught:         " << FormatSet(m->caught) << "\n"
        << "pending:        " << FormatSet(m->pending) << "\n"
        << "shared pending: " << FormatSet(m->shared_pending) << "\n";
  }
  return absl::OkStatus();
}

absl::Status Log(const LogPlan& o, std::ostream& out) {
  absl::StatusOr<signal::SignalSource> src = signal::SignalSource::Create(o.signals);
  if (!src.ok()) return src.status();
  if (!o.ready_file.empty()) {
    absl::Status s = io::WriteFileAtomically(o.ready_file, absl::StrCat(::getpid(), "\n"));
    if (!s.ok()) return s;
  }
  if (o.ready_fd >= 0) {
    absl::Status s = io::WriteAll(o.ready_fd, "1", absl::StrCat("--ready-fd ", o.ready_fd));
    ::close(o.ready_fd);
    if (!s.ok()) return s;
  }
  int seen = 0;
  while (o.count == 0 || seen < o.count) {
    struct pollfd p = {src->fd(), POLLIN, 0};
    if (io::RetryEintr([&] { return ::poll(&p, 1, -1); }) < 0) return absl::ErrnoToStatus(errno, "poll");
    absl::StatusOr<std::vector<signal::SignalInfo>> got = src->Read();
    if (!got.ok()) return got.status();
    for (const signal::SignalInfo& i : *got) {
      double mono = Clock(CLOCK_MONOTONIC), wall = Clock(CLOCK_REALTIME);
      if (o.json) {
        out << JsonWriter()
                   .BeginObject()
                   .Key("mono").Double(mono, 6)
                   .Key("wall").Double(wall, 6)
                   .Key("signal").String(SignalName(i.signo))
                   .Key("number").Int(i.signo)
                   .Key("code").String(signal::CodeName(i.code))
                   .Key("pid").Int(i.pid)
                   .Key("uid").Uint(i.uid)
                   .Key("value").Int(i.value)
                   .EndObject()
                   .str()
            << "\n";
      } else {
        out << absl::StrFormat("%.6f %.6f %s code=%s pid=%d uid=%d value=%d\n", mono, wall,
                               SignalName(i.signo), signal::CodeName(i.code), i.pid, i.uid,
                               i.value);
      }
      out.flush();
      if (o.count > 0 && ++seen >= o.count) break;
    }
  }
  return absl::OkStatus();
}

}  // namespace ipckit::sigtest
