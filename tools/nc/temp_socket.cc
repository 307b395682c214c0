#include "tools/nc/temp_socket.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"

namespace ipckit::nc {
namespace {

// What the signal handler removes; written before the handlers are set.
char g_path[sizeof(sockaddr_un::sun_path)];
char g_dir[sizeof(sockaddr_un::sun_path)];
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

void Cleanup() {
  if (g_path[0] != '\0') ::unlink(g_path);
  if (g_dir[0] != '\0') ::rmdir(g_dir);
}

// OnSignal removes the path, then ends the process by the same signal with
// its default action. Should the signal not end it at once (a sanitizer's
// runtime may hold signals back), it exits 128+sig: it never returns to a
// process whose socket path is gone.
void OnSignal(int sig) {
  Cleanup();
  ::signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  ::raise(sig);
  ::_exit(128 + sig);
}

}  // namespace

absl::StatusOr<ClientSocketPath> ClientSocketPath::Create(const std::string& given) {
  ClientSocketPath p;
  if (!given.empty()) {
    p.path_ = given;
  } else {
    const char* tmp = ::getenv("TMPDIR");
    std::string base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    // DIR/nc-XXXXXX/recv.sock must fit in sun_path with its NUL.
    if (base.size() + sizeof("/nc-XXXXXX/recv.sock") > sizeof(g_path)) base = "/tmp";
    std::string templ = absl::StrCat(base, "/nc-XXXXXX");
    if (::mkdtemp(templ.data()) == nullptr) {
      return absl::ErrnoToStatus(errno, absl::StrCat("mkdtemp ", templ));
    }
    p.dir_ = templ;
    p.path_ = absl::StrCat(templ, "/recv.sock");
  }
  if (p.path_.size() >= sizeof(g_path)) {
    return absl::InvalidArgumentError(absl::StrCat("-s ", p.path_, ": path too long"));
  }
  memcpy(g_path, p.path_.c_str(), p.path_.size() + 1);
  memcpy(g_dir, p.dir_.c_str(), p.dir_.size() + 1);
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  for (int sig : kSignals) {
    struct sigaction old;
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    ::sigaction(sig, &sa, nullptr);
  }
  p.active_ = true;
  return p;
}

ClientSocketPath::ClientSocketPath(ClientSocketPath&& other) noexcept
    : path_(std::move(other.path_)), dir_(std::move(other.dir_)), active_(other.active_) {
  other.active_ = false;
}

ClientSocketPath::~ClientSocketPath() {
  if (!active_) return;
  for (int sig : kSignals) {
    struct sigaction old;
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == OnSignal) ::signal(sig, SIG_DFL);
  }
  Cleanup();
  g_path[0] = g_dir[0] = '\0';
}

void ClientSocketPath::Bound() const { ::chmod(path_.c_str(), 0600); }

}  // namespace ipckit::nc
