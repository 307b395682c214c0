#include "tools/with_server/adopted.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/io/fd.h"
#include "lib/io/unique_fd.h"
#include "lib/process/spawn.h"

namespace ipckit::with_server {
namespace {

std::string ReadProc(pid_t pid, const char* what) {
  return io::ReadFile(absl::StrCat("/proc/", pid, "/", what)).value_or("");
}

}  // namespace

absl::Status BecomeSubreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) return absl::ErrnoToStatus(errno, "prctl(PR_SET_CHILD_SUBREAPER)");
  return absl::OkStatus();
}

std::vector<Adopted> AdoptedChildren(const std::set<pid_t>& known) {
  std::vector<Adopted> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  const pid_t self = ::getpid();
  while (struct dirent* e = ::readdir(d)) {
    int pid = 0;
    if (!absl::SimpleAtoi(e->d_name, &pid) || known.count(pid) != 0) continue;
    process::ProcStat st = process::ReadProcStat(pid);
    if (st.ppid != self || st.state == 'Z') continue;
    Adopted a;
    a.pid = pid;
    for (absl::string_view kv : absl::StrSplit(ReadProc(pid, "environ"), '\0')) {
      if (absl::ConsumePrefix(&kv, absl::StrCat(kOwnerVariable, "="))) a.owner = std::string(kv);
    }
    a.command = std::string(absl::StripTrailingAsciiWhitespace(absl::StrReplaceAll(ReadProc(pid, "cmdline"), {{std::string(1, '\0'), " "}})));
    if (a.command.empty()) continue;  // Exiting: its memory, and so its command line, is gone.
    out.push_back(std::move(a));
  }
  ::closedir(d);
  return out;
}

void StopAdopted(const std::vector<Adopted>& procs, absl::Duration grace) {
  for (const Adopted& a : procs) {
    ::kill(a.pid, SIGTERM);
    process::ContinueIfStopped(a.pid, /*group=*/false);  // See process::Child::Stop.
  }
  absl::Time end = absl::Now() + grace;
  for (const Adopted& a : procs) {
    for (;;) {
      pid_t r = ::waitpid(a.pid, nullptr, WNOHANG);
      if (r != 0 || absl::Now() >= end) break;
      absl::SleepFor(absl::Milliseconds(10));
    }
  }
  for (const Adopted& a : procs) {
    if (::kill(a.pid, SIGKILL) == 0) ::waitpid(a.pid, nullptr, 0);
  }
}

std::string ForegroundHint(absl::string_view program) {
  absl::string_view base = program.substr(program.rfind('/') == absl::string_view::npos ? 0 : program.rfind('/') + 1);
  struct Hint {
    const char* program;
    const char* flag;
  };
  static constexpr Hint kHints[] = {
      {"redis-server", "--daemonize no"},  {"nginx", "-g 'daemon off;'"},
      {"memcached", "(leave out -d)"},     {"mosquitto", "(leave out -d)"},
      {"dnsmasq", "--keep-in-foreground"}, {"lighttpd", "-D"},
      {"sshd", "-D"},                      {"apache2", "-DFOREGROUND"},
      {"httpd", "-DFOREGROUND"},           {"php-fpm", "--nodaemonize"},
      {"haproxy", "(leave out -D)"},       {"stunnel4", "(foreground = yes in its configuration)"},
  };
  for (const Hint& h : kHints) {
    if (base == h.program) return absl::StrCat(h.program, ": ", h.flag);
  }
  return "run it in the foreground (most servers have a flag for it)";
}

}  // namespace ipckit::with_server
