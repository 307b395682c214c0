// daemon.h turns a command into a background daemon in two steps, so that
// the command the user ran returns only once the daemon is ready, or with
// the reason it is not (vmtouch -dl's contract):
//
//   absl::StatusOr<Daemon> d = Daemon::Start();
//   if (!d.ok()) return d.status();                // fork failed
//   if (d->is_parent()) return d->child_status();  // OK once ready; else its error
//   ... in the daemon: set up (lock pages) ...
//   if (!s.ok()) { d->Fail(s); return s; }
//   d->Ready(pid_file);                            // detaches; the parent returns OK
//   ... serve until a signal ...
//
// Threads: main's thread, before any other starts: Start forks, and only the
// forking thread goes on in the daemon.
#ifndef IPCKIT_LIB_PROCESS_DAEMON_H_
#define IPCKIT_LIB_PROCESS_DAEMON_H_

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/io/unique_fd.h"

namespace ipckit::process {

class Daemon {
 public:
  // Start forks. In the parent it waits until the child calls Ready or Fail
  // (or dies) and returns a Daemon whose is_parent() is true; in the child
  // (in a session of its own) it returns at once. It fails only if fork or
  // pipe does.
  static absl::StatusOr<Daemon> Start();

  bool is_parent() const { return parent_; }
  // child is the daemon's PID (in the parent).
  pid_t child() const { return child_; }
  // child_status is, in the parent, OK if the daemon became ready, or its
  // failure: the status it passed to Fail (kUnavailable with its message),
  // or "daemon exited before it was ready".
  const absl::Status& child_status() const { return child_status_; }

  // Ready writes this process's PID to `pid_file` (when not empty), points
  // stdin, stdout and stderr at /dev/null and lets the parent return OK; it
  // returns the error writing the PID file (then the parent gets it).
  absl::Status Ready(const std::string& pid_file);

  // Fail hands `status` to the parent, which returns it.
  void Fail(const absl::Status& status);

 private:
  bool parent_ = false;
  pid_t child_ = -1;
  absl::Status child_status_;
  io::UniqueFd report_;  // Child: where Ready/Fail write.
};

}  // namespace ipckit::process

#endif  // IPCKIT_LIB_PROCESS_DAEMON_H_
