#include "tools/with_server/with_server.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "lib/io/fd.h"
#include "lib/io/unique_fd.h"
#include "lib/io/wait.h"
#include "lib/net/listening_line.h"

extern char** environ;

namespace ipckit::with_server {
namespace {

int PidfdOpen(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

std::string Getenv(const char* name) {
  const char* v = ::getenv(name);
  return v ? v : "";
}

// MakeWorkDir returns a fresh directory short enough for Unix socket paths
// (108 bytes), under $TEST_TMPDIR when that is short, else /tmp.
absl::StatusOr<std::string> MakeWorkDir() {
  std::string base = Getenv("TEST_TMPDIR");
  if (base.empty() || base.size() > 60) base = "/tmp";
  std::string tmpl = base + "/with_server.XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return absl::ErrnoToStatus(errno, absl::StrCat("mkdtemp ", tmpl));
  return tmpl;
}

void RemoveTree(const std::string& dir) {
  ::nftw(dir.c_str(), [](const char* p, const struct stat*, int, struct FTW*) { return ::remove(p); }, 16,
         FTW_DEPTH | FTW_PHYS);
}

std::string Tail(const std::string& path, size_t lines) {
  io::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return "";
  absl::StatusOr<std::string> all = io::ReadToEnd(fd.get());
  if (!all.ok()) return "";
  std::vector<absl::string_view> v = absl::StrSplit(*all, '\n');
  if (!v.empty() && v.back().empty()) v.pop_back();
  if (v.size() > lines) v.erase(v.begin(), v.end() - static_cast<std::ptrdiff_t>(lines));
  std::string out;
  for (absl::string_view l : v) absl::StrAppend(&out, "  | ", l, "\n");
  return out;
}

std::string Describe(int wstatus) {
  if (WIFEXITED(wstatus)) return absl::StrCat("exited with status ", WEXITSTATUS(wstatus));
  if (WIFSIGNALED(wstatus)) return absl::StrCat("was killed by signal ", WTERMSIG(wstatus));
  return "stopped";
}

int ExitCodeOf(int wstatus) {
  if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
  return 1;
}

struct Running {
  ServerSpec spec;
  pid_t pid = -1;
  io::UniqueFd pidfd;
  std::string log;
  std::string port_file;
  std::vector<std::string> addrs;
  bool ready = false;
  bool exited = false;
  int wstatus = 0;
};

absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv, int out_fd, bool own_group,
                            const std::vector<std::string>* env) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (out_fd >= 0) {  // A server: no stdin, output to its log.
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (own_group) {
    posix_spawnattr_setpgroup(&attr, 0);
    flags |= POSIX_SPAWN_SETPGROUP;
  }
  posix_spawnattr_setflags(&attr, flags);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  if (env != nullptr) {
    for (const std::string& e : *env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, args[0], &fa, &attr, args.data(), env ? envp.data() : environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return absl::ErrnoToStatus(rc, absl::StrCat("run ", argv[0]));
  return pid;
}

// Reap notes a server that has exited, without blocking.
bool Reap(Running& r) {
  if (r.exited) return true;
  int st = 0;
  if (::waitpid(r.pid, &st, WNOHANG) == r.pid) {
    r.exited = true;
    r.wstatus = st;
  }
  return r.exited;
}

// Check reads what a server has reported so far and marks it ready once it
// has reported every listener.
void Check(Running& r) {
  if (r.ready) return;
  std::vector<std::string> found;
  if (r.spec.uses_port_file) {
    io::UniqueFd fd(::open(r.port_file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd) {
      absl::StatusOr<std::string> text = io::ReadToEnd(fd.get());
      if (text.ok()) {
        for (absl::string_view l : absl::StrSplit(*text, '\n', absl::SkipWhitespace())) {
          std::string v(absl::StripAsciiWhitespace(l));
          bool numeric = !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return absl::ascii_isdigit(c); });
          found.push_back(numeric ? "127.0.0.1:" + v : v);
        }
      }
    }
  } else {
    io::UniqueFd fd(::open(r.log.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd) {
      absl::StatusOr<std::string> text = io::ReadToEnd(fd.get());
      if (text.ok()) {
        // Complete lines only; an address repeated on consecutive lines
        // (netcat-openbsd's "Bound on PATH", "Listening on PATH") counts once.
        std::vector<absl::string_view> lines = absl::StrSplit(*text, '\n');
        lines.pop_back();
        std::string previous;
        for (absl::string_view l : lines) {
          std::string a = net::ListeningAddress(l);
          if (!a.empty() && a != previous) found.push_back(a);
          previous = a;
        }
      }
    }
  }
  if (found.size() >= static_cast<size_t>(r.spec.listeners)) {
    found.resize(static_cast<size_t>(r.spec.listeners));
    r.addrs = found;
    r.ready = true;
  }
}

void Stop(std::vector<Running>& servers, absl::Duration grace, std::ostream& err) {
  for (Running& r : servers) {
    if (!Reap(r)) ::kill(-r.pid, SIGTERM);
  }
  absl::Time deadline = absl::Now() + grace;
  for (Running& r : servers) {
    while (!Reap(r)) {
      if (absl::Now() >= deadline) break;
      if (r.pidfd) {
        (void)io::WaitUntil(r.pidfd.get(), POLLIN, deadline, "wait");
      } else {
        (void)io::WaitUntil(-1, POLLIN, std::min(deadline, absl::Now() + absl::Milliseconds(10)), "wait");
      }
    }
  }
  for (Running& r : servers) {
    if (!r.exited) {
      err << "with_server: " << r.spec.name << " did not stop within " << absl::FormatDuration(grace)
          << " of SIGTERM: killed\n";
      ::kill(-r.pid, SIGKILL);
      ::waitpid(r.pid, &r.wstatus, 0);
      r.exited = true;
    }
    // Whatever the server left running in its group goes too.
    ::kill(-r.pid, SIGKILL);
  }
}

}  // namespace

absl::StatusOr<std::vector<ServerSpec>> Validate(const Options& o) {
  if (o.command.empty()) return absl::InvalidArgumentError("missing command after --");
  if (o.server_args.empty()) return absl::InvalidArgumentError("no servers: give --server NAME[:N]=COMMAND");
  std::vector<ServerSpec> out;
  std::set<std::string> names;
  for (const std::string& a : o.server_args) {
    absl::StatusOr<ServerSpec> s = ParseServerSpec(a);
    if (!s.ok()) return s.status();
    if (!names.insert(s->name).second) {
      return absl::InvalidArgumentError(absl::StrCat("--server ", s->name, " given twice"));
    }
    out.push_back(*std::move(s));
  }
  if (o.grace < absl::ZeroDuration()) return absl::InvalidArgumentError("--grace must not be negative");
  if (o.ready_timeout <= absl::ZeroDuration()) return absl::InvalidArgumentError("--ready-timeout must be positive");
  return out;
}

int Run(const Options& o, const std::vector<ServerSpec>& specs, std::ostream& err) {
  absl::StatusOr<std::string> work = MakeWorkDir();
  if (!work.ok()) {
    err << "with_server: " << work.status().message() << "\n";
    return kExitSetup;
  }
  std::string log_dir = !o.log_dir.empty() ? o.log_dir : Getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  if (log_dir.empty()) log_dir = *work;

  // Signals for us arrive on a signalfd and are forwarded to the command.
  sigset_t sigs;
  sigemptyset(&sigs);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&sigs, s);
  ::sigprocmask(SIG_BLOCK, &sigs, nullptr);
  io::UniqueFd sigfd(::signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK));

  io::UniqueFd inotify(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  if (inotify) {
    for (const std::string& d : {*work, log_dir}) {
      ::inotify_add_watch(inotify.get(), d.c_str(), IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE);
    }
  }

  std::vector<Running> servers;
  bool logs_in_work = log_dir == *work;
  auto fail = [&](const std::string& why) {
    err << "with_server: " << why;
    Stop(servers, o.grace, err);
    if (!logs_in_work) RemoveTree(*work);  // Else the logs stay for a look.
    return kExitSetup;
  };
  for (const ServerSpec& spec : specs) {
    Running r;
    r.spec = spec;
    r.log = absl::StrCat(log_dir, "/", spec.name, ".log");
    r.port_file = absl::StrCat(*work, "/", spec.name, ".port");
    std::vector<std::string> argv;
    for (const std::string& a : spec.command) {
      argv.push_back(absl::StrReplaceAll(a, {{"{port_file}", r.port_file}, {"{tmpdir}", *work}}));
    }
    io::UniqueFd log(::open(r.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644));
    if (!log) return fail(absl::StrCat("open ", r.log, ": ", strerror(errno), "\n"));
    absl::StatusOr<pid_t> pid = Spawn(argv, log.get(), true, nullptr);
    if (!pid.ok()) return fail(absl::StrCat(spec.name, ": ", pid.status().message(), "\n"));
    r.pid = *pid;
    r.pidfd = io::UniqueFd(PidfdOpen(r.pid));
    servers.push_back(std::move(r));
  }

  // Wait until every server has reported its listeners, one exits, or time is up.
  absl::Time deadline = absl::Now() + o.ready_timeout;
  for (;;) {
    bool all = true;
    for (Running& r : servers) {
      Check(r);
      if (r.ready) continue;
      all = false;
      if (Reap(r)) {
        return fail(absl::StrCat(r.spec.name, " ", Describe(r.wstatus), " before it was ready; log: ", r.log,
                                 "\n", Tail(r.log, 20)));
      }
    }
    if (all) break;
    if (absl::Now() >= deadline) {
      for (Running& r : servers) {
        if (r.ready) continue;
        Check(r);
        std::string what = r.spec.uses_port_file ? "lines in its port file" : "'listening on' lines";
        return fail(absl::StrCat(r.spec.name, " not ready after ", absl::FormatDuration(o.ready_timeout),
                                 " (saw ", r.addrs.size(), " of ", r.spec.listeners, " ", what, "); log: ",
                                 r.log, "\n", Tail(r.log, 20)));
      }
    }
    std::vector<struct pollfd> fds;
    if (inotify) fds.push_back({inotify.get(), POLLIN, 0});
    if (sigfd) fds.push_back({sigfd.get(), POLLIN, 0});
    bool all_pidfds = true;
    for (Running& r : servers) {
      if (r.pidfd) {
        fds.push_back({r.pidfd.get(), POLLIN, 0});
      } else {
        all_pidfds = false;
      }
    }
    // Without inotify or pidfds, look again every 10ms (until the deadline).
    absl::Time wake = deadline;
    if (!inotify || !all_pidfds) wake = std::min(wake, absl::Now() + absl::Milliseconds(10));
    int n = ::poll(fds.data(), fds.size(), io::PollTimeoutMs(wake));
    if (n < 0 && errno != EINTR) return fail(absl::StrCat("poll: ", strerror(errno), "\n"));
    if (inotify) {
      char buf[4096];
      while (::read(inotify.get(), buf, sizeof(buf)) > 0) {
      }
    }
    struct signalfd_siginfo si;
    if (sigfd && ::read(sigfd.get(), &si, sizeof(si)) == sizeof(si)) {
      return fail(absl::StrCat("signal ", si.ssi_signo, " while starting servers\n"));
    }
  }

  // The command's environment: ours plus every server's addresses.
  std::map<std::string, std::string> vars;
  for (Running& r : servers) {
    for (size_t i = 0; i < r.addrs.size(); ++i) {
      for (auto& [k, v] : AddressEnvironment(r.spec.name, static_cast<int>(i), r.addrs[i])) vars[k] = v;
    }
    vars[r.spec.name + "_PID"] = absl::StrCat(r.pid);
    vars[r.spec.name + "_LOG"] = r.log;
  }
  vars["WITH_SERVER_TMPDIR"] = *work;
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    if (vars.count(kv.substr(0, kv.find('='))) == 0) env.push_back(kv);
  }
  for (const auto& [k, v] : vars) env.push_back(absl::StrCat(k, "=", v));
  if (o.verbose) {
    for (const auto& [k, v] : vars) err << "with_server: " << k << "=" << v << "\n";
  }

  absl::StatusOr<pid_t> cmd = Spawn(o.command, -1, false, &env);
  if (!cmd.ok()) {
    int code = errno == ENOENT ? 127 : 126;
    err << "with_server: " << cmd.status().message() << "\n";
    Stop(servers, o.grace, err);
    RemoveTree(*work);
    return code;
  }
  io::UniqueFd cmd_fd(PidfdOpen(*cmd));
  int wstatus = 0;
  for (;;) {
    pid_t got = ::waitpid(*cmd, &wstatus, WNOHANG);
    if (got == *cmd) break;
    std::vector<struct pollfd> fds;
    if (sigfd) fds.push_back({sigfd.get(), POLLIN, 0});
    if (cmd_fd) fds.push_back({cmd_fd.get(), POLLIN, 0});
    ::poll(fds.data(), fds.size(), cmd_fd ? -1 : 10);
    struct signalfd_siginfo si;
    while (sigfd && ::read(sigfd.get(), &si, sizeof(si)) == sizeof(si)) {
      ::kill(*cmd, static_cast<int>(si.ssi_signo));  // Forward; the command decides.
    }
  }
  for (Running& r : servers) {
    // A server that ended by itself with status 0 (nc -l after its client)
    // is no news; a failed one is.
    if (Reap(r) && !(WIFEXITED(r.wstatus) && WEXITSTATUS(r.wstatus) == 0)) {
      err << "with_server: warning: " << r.spec.name << " " << Describe(r.wstatus)
          << " while the command ran; log: " << r.log << "\n";
    }
  }
  Stop(servers, o.grace, err);
  RemoveTree(*work);
  return ExitCodeOf(wstatus);
}

}  // namespace ipckit::with_server
