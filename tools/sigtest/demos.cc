#include "tools/sigtest/demos.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/io/eintr.h"
#include "lib/json/json_writer.h"
#include "lib/signal/names.h"
#include "lib/signal/signal_source.h"

namespace ipckit::sigtest {

using ::ipckit::json::JsonWriter;
namespace {

int64_t MonoNs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Percentile of sorted values, nearest rank.
int64_t Percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p / 100 * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace

absl::Status Coalesce(int count, bool json, std::ostream& out) {
  int rt = SIGRTMIN;
  absl::StatusOr<signal::SignalSource> src = signal::SignalSource::Create({SIGUSR1, rt});
  if (!src.ok()) return src.status();
  for (int i = 0; i < count; ++i) {
    if (::kill(::getpid(), SIGUSR1) != 0) return absl::ErrnoToStatus(errno, "kill");
    union sigval v;
    v.sival_int = i;
    if (::sigqueue(::getpid(), rt, v) != 0) return absl::ErrnoToStatus(errno, "sigqueue");
  }
  absl::StatusOr<std::vector<signal::SignalInfo>> got = src->Read();
  if (!got.ok()) return got.status();
  int usr1 = 0, rtmin = 0;
  for (const signal::SignalInfo& i : *got) (i.signo == SIGUSR1 ? usr1 : rtmin)++;
  if (json) {
    out << JsonWriter().BeginObject().Key("sent").Int(count).Key("USR1").Int(usr1).Key("RTMIN").Int(rtmin)
               .EndObject().str()
        << "\n";
  } else {
    out << absl::StrFormat("USR1: sent %d, delivered %d (%s)\n", count, usr1,
                           usr1 < count ? "coalesced" : "queued");
    out << absl::StrFormat("RTMIN: sent %d, delivered %d (%s)\n", count, rtmin,
                           rtmin < count ? "coalesced" : "queued");
  }
  return absl::OkStatus();
}

absl::Status Alarm(absl::Duration interval, int count, bool json, std::ostream& out) {
  if (interval <= absl::ZeroDuration()) return absl::InvalidArgumentError("--interval must be positive");
  absl::StatusOr<signal::SignalSource> src = signal::SignalSource::Create({SIGALRM});
  if (!src.ok()) return src.status();
  struct sigevent sev = {};
  sev.sigev_notify = SIGEV_SIGNAL;
  sev.sigev_signo = SIGALRM;
  timer_t timer;
  if (::timer_create(CLOCK_MONOTONIC, &sev, &timer) != 0) return absl::ErrnoToStatus(errno, "timer_create");
  struct itimerspec its = {};
  its.it_interval = absl::ToTimespec(interval);
  its.it_value = its.it_interval;
  int64_t start = MonoNs();
  int64_t step = absl::ToInt64Nanoseconds(interval);
  if (::timer_settime(timer, 0, &its, nullptr) != 0) {
    ::timer_delete(timer);
    return absl::ErrnoToStatus(errno, "timer_settime");
  }
  std::vector<int64_t> jitters;
  int64_t ticks = 0, overruns = 0;
  while (static_cast<int>(jitters.size()) < count) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGALRM);
    siginfo_t info;
    if (io::RetryEintr([&] { return ::sigwaitinfo(&set, &info); }) < 0) {
      ::timer_delete(timer);
      return absl::ErrnoToStatus(errno, "sigwaitinfo");
    }
    int64_t now = MonoNs();
    int over = info.si_overrun;
    ticks += 1 + over;
    overruns += over;
    int64_t jitter = now - (start + ticks * step);
    jitters.push_back(jitter);
    if (json) {
      out << JsonWriter()
                 .BeginObject()
                 .Key("tick").Int(ticks)
                 .Key("at_s").Double(static_cast<double>(now - start) / 1e9, 6)
                 .Key("jitter_us").Double(static_cast<double>(jitter) / 1e3, 1)
                 .Key("overrun").Int(over)
                 .EndObject()
                 .str()
          << "\n";
    } else {
      out << absl::StrFormat("tick %d +%.6fs jitter=%+.0fus overrun=%d\n", ticks,
                             static_cast<double>(now - start) / 1e9, static_cast<double>(jitter) / 1e3, over);
    }
  }
  ::timer_delete(timer);
  std::sort(jitters.begin(), jitters.end());
  if (!json) {
    out << absl::StrFormat("jitter p50 %+.0fus p99 %+.0fus max %+.0fus, overruns %d\n",
                           Percentile(jitters, 50) / 1e3, Percentile(jitters, 99) / 1e3,
                           jitters.back() / 1e3, overruns);
  }
  return absl::OkStatus();
}

absl::Status Latency(int iterations, bool json, std::ostream& out) {
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  if (::pthread_sigmask(SIG_BLOCK, &set, &old) != 0) return absl::InternalError("pthread_sigmask");
  pid_t parent = ::getpid();
  pid_t child = ::fork();
  if (child < 0) return absl::ErrnoToStatus(errno, "fork");
  if (child == 0) {
    // The echo side: each USR1 is answered with USR2.
    for (int i = 0; i < iterations; ++i) {
      siginfo_t info;
      while (::sigwaitinfo(&set, &info) < 0) {
      }
      union sigval v;
      v.sival_int = info.si_value.sival_int;
      ::sigqueue(parent, SIGUSR2, v);
    }
    ::_exit(0);
  }
  std::vector<int64_t> rtt;
  rtt.reserve(static_cast<size_t>(iterations));
  for (int i = 0; i < iterations; ++i) {
    int64_t t0 = MonoNs();
    union sigval v;
    v.sival_int = i;
    if (::sigqueue(child, SIGUSR1, v) != 0) return absl::ErrnoToStatus(errno, "sigqueue");
    siginfo_t info;
    do {
      while (::sigwaitinfo(&set, &info) < 0) {
      }
    } while (info.si_signo != SIGUSR2);
    rtt.push_back(MonoNs() - t0);
  }
  ::waitpid(child, nullptr, 0);
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  std::sort(rtt.begin(), rtt.end());
  double p50 = Percentile(rtt, 50) / 1e3, p99 = Percentile(rtt, 99) / 1e3, max = rtt.back() / 1e3;
  if (json) {
    out << JsonWriter()
               .BeginObject()
               .Key("iterations").Int(iterations)
               .Key("p50_us").Double(p50, 2)
               .Key("p99_us").Double(p99, 2)
               .Key("max_us").Double(max, 2)
               .EndObject()
               .str()
        << "\n";
  } else {
    out << absl::StrFormat("round trips: %d, p50 %.2fus p99 %.2fus max %.2fus\n", iterations, p50,
                           p99, max);
  }
  return absl::OkStatus();
}

}  // namespace ipckit::sigtest
