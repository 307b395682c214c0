// ExitStatus is how a child process ended: an exit code, or the signal that
// killed it (and whether it dumped core). It decodes waitpid(2)'s status
// once, for every tool and test that waits for a child. Example:
//
//   int wstatus;
//   ::waitpid(pid, &wstatus, 0);
//   ExitStatus s = ExitStatus::FromWaitStatus(wstatus);
//   std::cout << s.ToString();   // "exit=3" or "signal=TERM"
//   return s.ShellCode();        // 3, or 128+15 as sh reports it
//
// Threads: a value: any thread.
#ifndef IPCKIT_LIB_PROCESS_EXIT_STATUS_H_
#define IPCKIT_LIB_PROCESS_EXIT_STATUS_H_

#include <ostream>
#include <string>

namespace ipckit::process {

struct ExitStatus {
  int code = 0;       // The exit code, when signal == 0.
  int signal = 0;     // The terminating signal, or 0 if the child exited.
  bool core = false;  // The signal dumped core.

  static ExitStatus Exited(int code) { return {code, 0, false}; }
  static ExitStatus Signaled(int signal, bool core = false) { return {0, signal, core}; }
  // FromWaitStatus decodes a waitpid(2) status of a child that has ended.
  static ExitStatus FromWaitStatus(int wstatus);

  // ShellCode returns the code a shell's $? shows: the exit code, or 128+N
  // for signal N.
  int ShellCode() const { return signal != 0 ? 128 + signal : code; }

  // Success returns whether the child exited with code 0.
  bool Success() const { return signal == 0 && code == 0; }

  // ToString returns "exit=N" or "signal=NAME", NAME as lib/signal names it
  // ("signal=TERM", "signal=RTMIN+3").
  std::string ToString() const;

  // Describe returns "exited with status N" or "killed by signal N".
  std::string Describe() const;

  // Equality compares the code and the signal; `core` depends on the
  // environment's core limit, so it is left out.
  friend bool operator==(const ExitStatus& a, const ExitStatus& b) {
    return a.code == b.code && a.signal == b.signal;
  }
  friend bool operator!=(const ExitStatus& a, const ExitStatus& b) { return !(a == b); }
  friend std::ostream& operator<<(std::ostream& os, const ExitStatus& s) { return os << s.ToString(); }
};

}  // namespace ipckit::process

#endif  // IPCKIT_LIB_PROCESS_EXIT_STATUS_H_
