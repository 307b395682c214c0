// adopted.h: the processes with_server adopts as a child subreaper. A
// server that forks into the background (redis-server --daemonize yes,
// nginx without "daemon off;") or a command's background job outlives the
// process with_server started; as subreaper, with_server becomes its parent
// instead of init, so it can name it, stop it and reap it. Each process
// with_server starts carries its owner in the environment
// (WITH_SERVER_OWNER: the server's NAME, or "-" for the command), which
// its descendants inherit.
//
// Threads: main's thread (it reaps children: with_server has no other
// thread that waits for them).
#ifndef IPCKIT_TOOLS_WITH_SERVER_ADOPTED_H_
#define IPCKIT_TOOLS_WITH_SERVER_ADOPTED_H_

#include <sys/types.h>

#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ipckit::with_server {

inline constexpr char kOwnerVariable[] = "WITH_SERVER_OWNER";
inline constexpr char kCommandOwner[] = "-";

// BecomeSubreaper makes this process the parent of orphaned descendants
// (prctl PR_SET_CHILD_SUBREAPER), or returns the prctl error.
absl::Status BecomeSubreaper();

// Adopted is a child of this process that it did not start itself.
struct Adopted {
  pid_t pid = 0;
  std::string owner;    // WITH_SERVER_OWNER from its environment ("" if unreadable).
  std::string command;  // Its command line, arguments joined by spaces.
};

// AdoptedChildren returns this process's live children other than `known`
// (the ones it started), each with its owner and command line; zombies and
// processes already exiting (no command line left) are not listed.
std::vector<Adopted> AdoptedChildren(const std::set<pid_t>& known);

// StopAdopted sends SIGTERM to each of `procs` (and SIGCONT to the stopped
// ones, process::ContinueIfStopped), gives them
// until `grace` passes, then SIGKILLs and reaps those left.
void StopAdopted(const std::vector<Adopted>& procs, absl::Duration grace);

// ForegroundHint returns how to keep `program` (a path or name) in the
// foreground, for the programs known to daemonize by default or by a flag:
// "redis-server: --daemonize no", else a generic sentence.
std::string ForegroundHint(absl::string_view program);

}  // namespace ipckit::with_server

#endif  // IPCKIT_TOOLS_WITH_SERVER_ADOPTED_H_
