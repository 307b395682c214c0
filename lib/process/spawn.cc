#include "lib/process/spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/io/eintr.h"
#include "lib/io/fd.h"
#include "lib/io/wait.h"

extern char** environ;

namespace ipckit::process {
namespace {

int PidfdOpen(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

// Candidates returns the paths to try for `file`, in execvp(3)'s order: the
// name itself when it has a '/', else each $PATH entry joined with it (an
// empty entry is the current directory; no $PATH means the system default).
std::vector<std::string> Candidates(const std::string& file) {
  if (file.find('/') != std::string::npos) return {file};
  std::string path;
  if (const char* p = ::getenv("PATH"); p != nullptr) {
    path = p;
  } else {
    path.resize(::confstr(_CS_PATH, nullptr, 0));
    ::confstr(_CS_PATH, path.data(), path.size());
    path.resize(path.find('\0'));
  }
  std::vector<std::string> out;
  for (absl::string_view dir : absl::StrSplit(path, ':')) {
    out.push_back(dir.empty() ? file : absl::StrCat(dir, "/", file));
  }
  return out;
}

// ExecPlan is everything the child needs, built before fork(2) so that the
// child calls only async-signal-safe functions (the parent may have threads).
struct ExecPlan {
  std::vector<std::string> paths;
  std::vector<char*> argv;
  // sh_argv is "/bin/sh", a slot for the path, then argv[1..]: a file the
  // kernel will not execute (ENOEXEC: a script without "#!") runs with
  // /bin/sh, as execvp(3), GNU timeout, tini and dumb-init do.
  std::vector<char*> sh_argv;
  std::vector<char*> envp;
  char** env = nullptr;
  int dev_null = -1;
  sigset_t mask;
  pid_t parent = 0;
};

// RunChild sets the child up as `o` says and executes the program; on any
// failure it writes errno to `err_fd` and exits 127. It never returns. It
// writes only into its own copy of `plan` (sh_argv's slot).
[[noreturn]] void RunChild(const SpawnOptions& o, ExecPlan& plan, int err_fd) {
  int err = 0;
  if (o.new_process_group && ::setpgid(0, 0) != 0) err = errno;
  // tcsetpgrp from a background group is allowed while SIGTTOU is blocked,
  // as every signal is here until the mask is set below.
  if (err == 0 && o.new_process_group && o.foreground_tty >= 0 && ::tcsetpgrp(o.foreground_tty, ::getpid()) != 0) {
    err = errno;
  }
  if (err == 0 && o.parent_death_signal != 0) {
    if (::prctl(PR_SET_PDEATHSIG, o.parent_death_signal) != 0) err = errno;
    // The parent may have died before prctl: then the signal never comes.
    if (err == 0 && ::getppid() != plan.parent) ::raise(o.parent_death_signal);
  }
  for (const SpawnOptions::FdMapping& m : o.fds) {
    if (err != 0) break;
    int from = m.parent == SpawnOptions::kDevNull ? plan.dev_null : m.parent;
    int rc = from == m.child ? ::fcntl(from, F_SETFD, 0) : ::dup2(from, m.child);
    if (rc < 0) err = errno;
  }
  if (err == 0 && !o.cwd.empty() && ::chdir(o.cwd.c_str()) != 0) err = errno;
  if (err == 0) {
    struct sigaction sa = {};
    sa.sa_handler = SIG_DFL;
    if (o.reset_dispositions) {
      for (int s = 1; s < NSIG; ++s) ::sigaction(s, &sa, nullptr);  // EINVAL for KILL, STOP, libc's own.
    }
    for (int s : o.default_signals) ::sigaction(s, &sa, nullptr);
    sa.sa_handler = SIG_IGN;
    for (int s : o.ignore_signals) ::sigaction(s, &sa, nullptr);
    ::sigprocmask(SIG_SETMASK, &plan.mask, nullptr);
    bool denied = false;
    for (const std::string& p : plan.paths) {
      ::execve(p.c_str(), plan.argv.data(), plan.env);
      if (errno == ENOEXEC) {
        plan.sh_argv[1] = const_cast<char*>(p.c_str());
        ::execve("/bin/sh", plan.sh_argv.data(), plan.env);
        break;  // errno is /bin/sh's.
      }
      if (errno == EACCES) denied = true;
      if (errno != ENOENT && errno != ENOTDIR && errno != EACCES) break;
    }
    err = errno == ENOENT && denied ? EACCES : errno;
  }
  (void)io::RetryEintr([&] { return ::write(err_fd, &err, sizeof(err)); });
  ::_exit(127);
}

}  // namespace

absl::StatusOr<Child> Spawn(const std::vector<std::string>& argv, const SpawnOptions& options) {
  if (argv.empty()) return absl::InvalidArgumentError("exec: empty command");
  ExecPlan plan;
  plan.paths = Candidates(argv[0]);
  for (const std::string& a : argv) plan.argv.push_back(const_cast<char*>(a.c_str()));
  plan.argv.push_back(nullptr);
  static char kShell[] = "/bin/sh";
  plan.sh_argv = {kShell, nullptr};
  plan.sh_argv.insert(plan.sh_argv.end(), plan.argv.begin() + 1, plan.argv.end());
  plan.env = environ;
  plan.parent = ::getpid();
  if (options.env) {
    for (const std::string& e : *options.env) plan.envp.push_back(const_cast<char*>(e.c_str()));
    plan.envp.push_back(nullptr);
    plan.env = plan.envp.data();
  }
  if (options.mask) {
    plan.mask = *options.mask;
  } else {
    sigemptyset(&plan.mask);
  }
  io::UniqueFd dev_null;
  for (const SpawnOptions::FdMapping& m : options.fds) {
    if (m.parent == SpawnOptions::kDevNull && !dev_null) {
      dev_null = io::UniqueFd(::open("/dev/null", O_RDWR | O_CLOEXEC));
      if (!dev_null) return absl::ErrnoToStatus(errno, "open /dev/null");
    }
  }
  plan.dev_null = dev_null.get();
  absl::StatusOr<io::Pipe> errpipe = io::MakePipe(O_CLOEXEC);
  if (!errpipe.ok()) return errpipe.status();

  // Signals stay blocked from fork until the child has reset its handlers,
  // so none of the parent's handlers runs in the child.
  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = ::fork();
  if (pid == 0) RunChild(options, plan, errpipe->write.get());
  int fork_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) return absl::ErrnoToStatus(fork_errno, "fork");

  errpipe->write.reset();
  int child_errno = 0;
  absl::StatusOr<size_t> n =
      io::ReadFull(errpipe->read.get(), absl::MakeSpan(reinterpret_cast<char*>(&child_errno), sizeof(child_errno)));
  Child c;
  c.pid_ = pid;
  if (n.ok() && *n == sizeof(child_errno)) {
    (void)c.Wait();
    return absl::ErrnoToStatus(child_errno, absl::StrCat("exec ", argv[0]));
  }
  c.pidfd_ = io::UniqueFd(PidfdOpen(pid));  // None on kernels before 5.3.
  return c;
}

std::vector<std::string> ShellArgv(absl::string_view command) {
  return {"/bin/sh", "-c", std::string(command)};
}

absl::Status BecomeSubreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) return absl::ErrnoToStatus(errno, "prctl PR_SET_CHILD_SUBREAPER");
  return absl::OkStatus();
}

Child::Child(Child&& other) noexcept { *this = std::move(other); }

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

std::optional<ExitStatus> Child::Poll() {
  if (status_ || pid_ <= 0) return status_;
  int wstatus = 0;
  pid_t r = io::RetryEintr([&] { return ::waitpid(pid_, &wstatus, WNOHANG); });
  if (r == pid_) Reaped(wstatus);
  return status_;
}

absl::StatusOr<ExitStatus> Child::Wait(absl::Time deadline) {
  if (pid_ <= 0) return absl::FailedPreconditionError("wait: no child");
  while (!Poll()) {
    if (deadline == absl::InfiniteFuture() && !pidfd_) {
      int wstatus = 0;
      if (::waitpid(pid_, &wstatus, 0) == pid_) Reaped(wstatus);
      continue;
    }
    if (absl::Now() >= deadline) return absl::DeadlineExceededError(absl::StrCat("pid ", pid_, " is still running"));
    // Without a pidfd, the exit is noticed by looking every 10ms.
    absl::Time until = pidfd_ ? deadline : std::min(deadline, absl::Now() + absl::Milliseconds(10));
    absl::StatusOr<bool> ready = io::WaitUntil(pidfd_ ? pidfd_.get() : -1, POLLIN, until, "wait");
    if (!ready.ok()) return ready.status();
  }
  return *status_;
}

void Child::Reaped(int wstatus) {
  status_ = ExitStatus::FromWaitStatus(wstatus);
  pidfd_.reset();
}

absl::Status Child::Signal(int sig) {
  if (status_ || pid_ <= 0) return absl::ErrnoToStatus(ESRCH, absl::StrCat("kill ", pid_));
  if (::kill(pid_, sig) != 0) return absl::ErrnoToStatus(errno, absl::StrCat("kill ", pid_));
  return absl::OkStatus();
}

ProcStat ReadProcStat(pid_t pid) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/stat", static_cast<int>(pid));
  absl::StatusOr<std::string> stat = io::ReadFile(path);
  if (!stat.ok()) return {};
  size_t close = stat->rfind(')');  // The command name may hold spaces and ')'.
  if (close == std::string::npos) return {};
  std::vector<absl::string_view> f = absl::StrSplit(absl::string_view(*stat).substr(close + 2), ' ');
  ProcStat st;
  if (f.size() < 3 || f[0].empty() || !absl::SimpleAtoi(f[1], &st.ppid) || !absl::SimpleAtoi(f[2], &st.pgrp)) return {};
  st.state = f[0][0];
  return st;
}

void ContinueIfStopped(pid_t pid, bool group) {
  if (!group) {
    if (ReadProcStat(pid).state == 'T') ::kill(pid, SIGCONT);
    return;
  }
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return;
  while (struct dirent* e = ::readdir(d)) {
    int p = 0;
    if (!absl::SimpleAtoi(e->d_name, &p)) continue;
    ProcStat st = ReadProcStat(p);
    if (st.pgrp == pid && st.state == 'T') ::kill(p, SIGCONT);
  }
  ::closedir(d);
}

absl::Status Child::SignalGroup(int sig) {
  if (pid_ <= 0) return absl::ErrnoToStatus(ESRCH, "killpg");
  if (::kill(-pid_, sig) != 0) return absl::ErrnoToStatus(errno, absl::StrCat("killpg ", pid_));
  return absl::OkStatus();
}

ExitStatus Child::Stop(absl::Duration grace, absl::Duration own_exit) {
  if (status_) return *status_;
  // Not yet reaped, so the pid (and a group it leads) is still ours.
  bool leader = ::getpgid(pid_) == pid_;
  auto send = [&](int sig) { (void)(leader ? SignalGroup(sig) : Signal(sig)); };
  // exited waits until `end` for the child to exit, without reaping it, so
  // that its group may still be signalled while its pid is not free.
  auto exited = [&](absl::Time end) {
    siginfo_t info;
    for (;;) {
      info.si_pid = 0;
      if (io::RetryEintr([&] { return ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT); }) != 0) {
        return true;  // Not ours to wait for: nothing more to wait.
      }
      if (info.si_pid == pid_) return true;
      if (absl::Now() >= end) return false;
      absl::SleepFor(absl::Milliseconds(5));
    }
  };
  if (!exited(absl::Now() + own_exit)) {
    send(SIGTERM);
    // Only the stopped get SIGCONT: sent to a child already exiting, it
    // could land during LeakSanitizer's leak check and hang it (4 in 12).
    ContinueIfStopped(pid_, leader);
    exited(absl::Now() + grace);
  }
  send(SIGKILL);  // The child, if still running, and whatever is left of its group.
  absl::StatusOr<ExitStatus> s = Wait();
  return s.ok() ? *s : ExitStatus();
}

}  // namespace ipckit::process
