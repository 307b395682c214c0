#include "tools/sigtest/run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "lib/io/fd.h"
#include "lib/io/wait.h"
#include "lib/signal/names.h"
#include "lib/signal/signal_source.h"

namespace ipckit::sigtest {
namespace {

using signal::SignalName;

absl::StatusOr<std::vector<int>> Signals(const std::string& list) {
  if (list.empty()) return std::vector<int>();
  return signal::ParseSignalList(list);
}

// Orphans returns the PIDs whose parent is this process, other than `skip`.
std::vector<pid_t> Children(pid_t skip) {
  std::vector<pid_t> out;
  std::ifstream f(absl::StrCat("/proc/self/task/", ::getpid(), "/children"));
  pid_t pid;
  while (f >> pid) {
    if (pid != skip) out.push_back(pid);
  }
  return out;
}

// StatOf returns the state letter and process group of `pid`, or {0, 0}.
std::pair<char, pid_t> StatOf(pid_t pid) {
  std::ifstream f(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  std::getline(f, line);
  size_t paren = line.rfind(')');
  if (paren == std::string::npos) return {0, 0};
  char state = 0;
  pid_t ppid = 0, pgrp = 0;
  std::istringstream rest(line.substr(paren + 1));
  rest >> state >> ppid >> pgrp;
  return {state, pgrp};
}

std::string Comm(pid_t pid) {
  std::ifstream f(absl::StrCat("/proc/", pid, "/comm"));
  std::string c;
  std::getline(f, c);
  return c;
}

}  // namespace

absl::StatusOr<std::map<int, int>> ParseRemaps(const std::vector<std::string>& remaps) {
  std::map<int, int> out;
  for (const std::string& r : remaps) {
    size_t eq = r.find('=');
    int from = 0, to = 0;
    if (eq == std::string::npos || !absl::SimpleAtoi(r.substr(0, eq), &from) ||
        !absl::SimpleAtoi(r.substr(eq + 1), &to) || from < 0 || from > 255 || to < 0 || to > 255) {
      return absl::InvalidArgumentError(absl::StrCat("--remap: expected FROM=TO, got '", r, "'"));
    }
    out[from] = to;
  }
  return out;
}

absl::StatusOr<int> Run(const RunOptions& o, std::ostream& report) {
  if (o.command.empty()) return absl::InvalidArgumentError("missing command (sigtest run [OPTIONS] -- CMD...)");
  absl::StatusOr<int> timeout_sig = signal::ParseSignal(o.signal);
  if (!timeout_sig.ok()) return timeout_sig.status();
  if (o.forward != "group" && o.forward != "child") {
    return absl::InvalidArgumentError(absl::StrCat("--forward: expected group or child, got '", o.forward, "'"));
  }
  absl::StatusOr<std::map<int, int>> remaps = ParseRemaps(o.remap);
  if (!remaps.ok()) return remaps.status();
  absl::StatusOr<std::vector<int>> ignore = Signals(o.ignore);
  if (!ignore.ok()) return ignore.status();
  absl::StatusOr<std::vector<int>> block = Signals(o.block);
  if (!block.ok()) return block.status();
  absl::StatusOr<std::vector<int>> deflt = Signals(o.default_);
  if (!deflt.ok()) return deflt.status();

  // Orphaned descendants are reparented to us, so we can reap them.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);

  // Every catchable signal comes to us through a signalfd.
  sigset_t original;
  ::pthread_sigmask(SIG_SETMASK, nullptr, &original);
  absl::StatusOr<signal::SignalSource> src = signal::SignalSource::Create(signal::CatchableSignals());
  if (!src.ok()) return src.status();

  absl::StatusOr<io::Pipe> errpipe = io::MakePipe(O_CLOEXEC);
  if (!errpipe.ok()) return errpipe.status();
  std::vector<char*> argv;
  for (const std::string& a : o.command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  absl::Time start = absl::Now();
  pid_t child = ::fork();
  if (child < 0) return absl::ErrnoToStatus(errno, "fork");
  if (child == 0) {
    // The child: its own process group, then dispositions and mask, then exec.
    ::setpgid(0, 0);
    for (int s : *ignore) ::signal(s, SIG_IGN);
    for (int s : *deflt) ::signal(s, SIG_DFL);
    sigset_t mask = original;
    for (int s : *block) sigaddset(&mask, s);
    ::pthread_sigmask(SIG_SETMASK, &mask, nullptr);
    ::execvp(argv[0], argv.data());
    int err = errno;
    (void)!::write(errpipe->write.get(), &err, sizeof(err));
    ::_exit(kExitNotFound);
  }
  ::setpgid(child, child);  // Also here, so forwarding never races the child's own call.
  errpipe->write.reset();
  int exec_errno = 0;
  absl::StatusOr<size_t> got = io::ReadFull(errpipe->read.get(), absl::MakeSpan(reinterpret_cast<char*>(&exec_errno), sizeof(exec_errno)));

  auto send = [&](int sig) {
    if (o.forward == "group") {
      ::kill(-child, sig);
    } else {
      ::kill(child, sig);
    }
  };

  absl::Time timeout_at = o.timeout == absl::InfiniteDuration() ? absl::InfiniteFuture() : start + o.timeout;
  absl::Time kill_at = absl::InfiniteFuture();
  bool timed_out = false, killed = false;
  int wstatus = 0;
  bool exited = false;
  while (!exited) {
    absl::Time now = absl::Now();
    if (!timed_out && now >= timeout_at) {
      timed_out = true;
      send(*timeout_sig);
      if (o.kill_after != absl::InfiniteDuration()) kill_at = now + o.kill_after;
    }
    if (timed_out && !killed && now >= kill_at) {
      killed = true;
      ::kill(-child, SIGKILL);
      ::kill(child, SIGKILL);
    }
    absl::Time next = std::min(timed_out ? kill_at : timeout_at, absl::InfiniteFuture());
    absl::StatusOr<bool> ready = io::WaitUntil(src->fd(), POLLIN, next, "signals");
    if (!ready.ok()) return ready.status();
    absl::StatusOr<std::vector<signal::SignalInfo>> sigs = src->Read();
    if (!sigs.ok()) return sigs.status();
    for (const signal::SignalInfo& s : *sigs) {
      if (s.signo != SIGCHLD) send(s.signo);
    }
    // Reap everything: the child, and orphans reparented to us.
    for (;;) {
      int st = 0;
      pid_t r = ::waitpid(-1, &st, WNOHANG);
      if (r <= 0) break;
      if (r == child) {
        wstatus = st;
        exited = true;
      }
    }
  }

  // The rest of CMD's descendants get --grace to exit (a forwarded signal
  // usually reached them too), reaped as they go.
  absl::Time grace_end = absl::Now() + o.grace;
  while (!Children(child).empty() && absl::Now() < grace_end) {
    (void)io::WaitUntil(src->fd(), POLLIN, grace_end, "signals");
    (void)src->Read();
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
  }
  // Descendants that are dead (zombies) or dying from our KILL are reaped,
  // not reported.
  std::vector<pid_t> left;
  for (pid_t p : Children(child)) {
    auto [state, pgrp] = StatOf(p);
    if (state == 'Z' || state == 0 || (killed && pgrp == child)) {
      ::waitpid(p, nullptr, 0);
    } else {
      left.push_back(p);
    }
  }
  if (!left.empty()) {
    std::vector<std::string> names;
    for (pid_t p : left) names.push_back(absl::StrCat(p, " (", Comm(p), ")"));
    if (o.kill_orphans) {
      for (pid_t p : left) ::kill(p, SIGKILL);
      for (pid_t p : left) ::waitpid(p, nullptr, 0);
      report << "sigtest: killed orphans: " << absl::StrJoin(names, ", ") << "\n";
    } else {
      report << "sigtest: orphans still running: " << absl::StrJoin(names, ", ") << "\n";
    }
  }

  int code;
  std::string how;
  if (got.ok() && *got == sizeof(exec_errno)) {
    code = exec_errno == ENOENT ? kExitNotFound : kExitNotExecutable;
    how = absl::StrCat("exec ", o.command[0], ": ", strerror(exec_errno));
    report << "sigtest run: " << how << "\n";
    return code;
  }
  if (WIFSIGNALED(wstatus)) {
    int sig = WTERMSIG(wstatus);
    code = 128 + sig;
    how = absl::StrCat("signal=", SignalName(sig), " core=", WCOREDUMP(wstatus) ? "true" : "false");
  } else {
    code = WEXITSTATUS(wstatus);
    how = absl::StrCat("exit=", code);
  }
  if (timed_out) {
    how = absl::StrCat("timeout=", absl::FormatDuration(o.timeout), " ", how);
    if (!killed) code = kExitTimedOut;  // As coreutils: 124 unless KILL was needed.
  }
  auto remap = remaps->find(code);
  if (remap != remaps->end()) code = remap->second;
  double secs = absl::ToDoubleSeconds(absl::Now() - start);
  if (o.json) {
    report << absl::StrFormat("{\"result\":\"%s\",\"exit_code\":%d,\"seconds\":%.3f,\"timed_out\":%s}\n",
                              how, code, secs, timed_out ? "true" : "false");
  } else {
    report << "sigtest: " << how << "\n";
  }
  return code;
}

}  // namespace ipckit::sigtest
