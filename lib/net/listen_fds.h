// listen_fds.h: systemd-style socket activation, as sd_listen_fds(3) reads
// it: when LISTEN_PID names this process, LISTEN_FDS=n sockets are open as
// descriptors 3 .. 3+n-1, already bound (and listening, for streams).
//
// Threads: main's thread, before any other starts: ListenFds unsets the
// LISTEN_* variables (unsetenv(3) is not thread-safe).
#ifndef IPCKIT_LIB_NET_LISTEN_FDS_H_
#define IPCKIT_LIB_NET_LISTEN_FDS_H_

#include <vector>

namespace ipckit::net {

// ListenFds returns the descriptors handed over (LISTEN_PID is this process,
// LISTEN_FDS=n: 3..3+n-1), or an empty list, and unsets LISTEN_PID,
// LISTEN_FDS and LISTEN_FDNAMES so that children do not take them too.
std::vector<int> ListenFds();

}  // namespace ipckit::net

#endif  // IPCKIT_LIB_NET_LISTEN_FDS_H_
