// Spawn starts a program as a child process, and Child owns it: its PID, a
// pidfd where the kernel has them, and its exit status once reaped. Every
// tool that starts programs (with_server, nc --exec, sigtest run, relay's
// exec:) starts them here, so file descriptors, process groups and signal
// state are set up one way. Example:
//
//   SpawnOptions o;
//   o.fds = {{0, SpawnOptions::kDevNull}, {1, log_fd}, {2, log_fd}};
//   o.new_process_group = true;
//   absl::StatusOr<Child> c = Spawn({"echod", "-l", "127.0.0.1:0"}, o);
//   if (!c.ok()) return c.status();            // "exec echod: No such file or directory"
//   ...
//   (void)c->SignalGroup(SIGTERM);
//   absl::StatusOr<ExitStatus> s = c->Wait(absl::Now() + absl::Seconds(5));
//
// Threads: Spawn may be called from any thread: everything the child does
// before exec is planned before the fork, with every signal blocked, so the
// child makes only async-signal-safe calls; a Child is used from one thread
// at a time.
#ifndef IPCKIT_LIB_PROCESS_SPAWN_H_
#define IPCKIT_LIB_PROCESS_SPAWN_H_

#include <signal.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/io/unique_fd.h"
#include "lib/process/exit_status.h"

namespace ipckit::process {

struct SpawnOptions {
  // kDevNull, as a parent fd, gives the child /dev/null (read and write).
  static constexpr int kDevNull = -1;

  // FdMapping gives the child `parent` (dup2(2)) as its `child` descriptor.
  struct FdMapping {
    int child;
    int parent;
  };
  // fds are applied in order; descriptors not named keep their own fate (a
  // close-on-exec one closes, any other is inherited).
  std::vector<FdMapping> fds;

  // new_process_group puts the child in a group of its own (its PID), so
  // SignalGroup reaches it and everything it starts.
  bool new_process_group = false;

  // reset_dispositions returns every signal to SIG_DFL, as a program started
  // from a fresh shell has it; false keeps the dispositions ignored in the
  // parent (exec(2) resets handled ones anyway), as fork and exec do.
  bool reset_dispositions = true;
  std::vector<int> default_signals;  // Set to SIG_DFL after the above.
  std::vector<int> ignore_signals;   // Set to SIG_IGN after the above.
  // mask is the child's signal mask; none blocked when unset.
  std::optional<sigset_t> mask;

  // foreground_tty, when a terminal's descriptor, makes the child's new
  // process group (new_process_group) that terminal's foreground group
  // before it executes, so it can read the terminal and gets its ^C and ^Z.
  int foreground_tty = -1;

  // parent_death_signal, when not 0, is sent to the child when the thread
  // that spawned it exits (prctl PR_SET_PDEATHSIG; tini's -p).
  int parent_death_signal = 0;

  // env replaces the environment ("KEY=VALUE" entries); unset keeps ours.
  std::optional<std::vector<std::string>> env;
  // cwd is the child's working directory; empty keeps ours.
  std::string cwd;
};

// Child is a started child process. It is move-only; destroying it neither
// kills nor reaps the child (call Wait, or SignalGroup then Wait).
class Child {
 public:
  Child() = default;
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  // pidfd is readable once the child has exited; -1 on kernels without pidfds.
  int pidfd() const { return pidfd_.get(); }
  // status is how the child ended, once it has been reaped.
  const std::optional<ExitStatus>& status() const { return status_; }

  // Poll reaps the child if it has exited, without blocking, and returns its
  // status; nullopt while it runs.
  std::optional<ExitStatus> Poll();

  // Wait waits until the child exits and returns its status, or
  // kDeadlineExceeded ("pid N still running after 5s") at `deadline`,
  // leaving it running.
  absl::StatusOr<ExitStatus> Wait(absl::Time deadline = absl::InfiniteFuture());

  // Reaped records the status of the child when the caller reaped it itself
  // (a subreaper's waitpid(-1) loop).
  void Reaped(int wstatus);

  // Signal sends `sig` to the child, or returns the kill(2) error; ESRCH
  // once the child has been reaped.
  absl::Status Signal(int sig);

  // SignalGroup sends `sig` to the child's process group (see
  // new_process_group), which may outlive the child; or the kill(2) error.
  absl::Status SignalGroup(int sig);

  // Stop ends a child started in a process group of its own, as a group:
  // first up to `own_exit` for it to exit by itself (as one does at EOF on
  // its stdin), then SIGTERM to the group and SIGCONT to those of it that
  // are stopped (ContinueIfStopped), up to `grace` more, then SIGKILL to
  // the group; then it
  // reaps the child and returns how it ended. What is left of the group
  // after the child exited gets SIGKILL too. A child already reaped returns
  // its status at once. Called on a child without a group of its own, it
  // signals only the child.
  ExitStatus Stop(absl::Duration grace, absl::Duration own_exit = absl::ZeroDuration());

 private:
  friend absl::StatusOr<Child> Spawn(const std::vector<std::string>&, const SpawnOptions&);
  pid_t pid_ = -1;
  io::UniqueFd pidfd_;
  std::optional<ExitStatus> status_;
};

// ProcStat is what /proc/PID/stat says of a process: its state letter
// ('R', 'S', 'T' job-control stop, 't' ptrace stop, 'Z' zombie, ...), its
// parent and its process group.
struct ProcStat {
  char state = 0;
  pid_t ppid = 0;
  pid_t pgrp = 0;
};

// ReadProcStat returns `pid`'s ProcStat, or one with state 0 when it cannot
// be read (the process is gone, or not ours to read).
ProcStat ReadProcStat(pid_t pid);

// ContinueIfStopped sends SIGCONT to `pid` when it is stopped (job-control
// stop, state T; never a ptrace stop), or with `group` to each stopped
// process of process group `pid`: after a SIGTERM, a stopped process must
// run again to see it. A process that is running gets nothing, so a CONT
// never lands while an exiting LeakSanitizer-built process has its threads
// stopped for its leak check (which hangs it).
void ContinueIfStopped(pid_t pid, bool group);

// Spawn starts argv[0] (searched in $PATH when it has no '/') with `argv`
// and returns the running child, or the error: "exec nosuchtool: No such
// file or directory" (kNotFound), "exec ./notes.txt: Permission denied"
// (kPermissionDenied), or kInvalidArgument "exec: empty command".
// The exec(2) error is known before Spawn returns; a child that failed to
// exec has been reaped.
absl::StatusOr<Child> Spawn(const std::vector<std::string>& argv, const SpawnOptions& options = {});

// ShellArgv returns {"/bin/sh", "-c", command}: how --sh-exec style options
// run a command line.
std::vector<std::string> ShellArgv(absl::string_view command);

// BecomeSubreaper makes this process the reaper of its orphaned descendants
// (prctl PR_SET_CHILD_SUBREAPER), so a supervisor can wait for the children
// its child leaves behind; or returns the prctl(2) error.
absl::Status BecomeSubreaper();

}  // namespace ipckit::process

#endif  // IPCKIT_LIB_PROCESS_SPAWN_H_
