#include "lib/net/listen_fds.h"

#include <stdlib.h>
#include <unistd.h>

#include "absl/strings/numbers.h"

namespace ipckit::net {

std::vector<int> ListenFds() {
  const char* pid = ::getenv("LISTEN_PID");
  const char* fds = ::getenv("LISTEN_FDS");
  int p = 0, n = 0;
  std::vector<int> out;
  if (pid != nullptr && fds != nullptr && absl::SimpleAtoi(pid, &p) && p == ::getpid() &&
      absl::SimpleAtoi(fds, &n) && n > 0) {
    for (int i = 0; i < n; ++i) out.push_back(3 + i);
  }
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  return out;
}

}  // namespace ipckit::net
