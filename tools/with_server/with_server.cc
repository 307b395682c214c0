#include "tools/with_server/with_server.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "lib/io/fd.h"
#include "lib/io/unique_fd.h"
#include "lib/io/wait.h"
#include "lib/net/listening_line.h"
#include "lib/process/exit_status.h"
#include "lib/process/spawn.h"
#include "lib/signal/signal_source.h"

extern char** environ;

namespace ipckit::with_server {
namespace {

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

// Ended says how a server ended: "exited with status 1", "was killed by signal 9".
std::string Ended(const process::ExitStatus& s) { return s.signal != 0 ? "was " + s.Describe() : s.Describe(); }

struct Running {
  ServerSpec spec;
  process::Child child;
  std::string log;
  std::string port_file;
  std::vector<std::string> addrs;
  bool ready = false;
};

// Start starts a server in a process group of its own, with no stdin and
// its output to `log_fd`.
absl::StatusOr<process::Child> Start(const std::vector<std::string>& argv, int log_fd) {
  process::SpawnOptions o;
  o.fds = {{0, process::SpawnOptions::kDevNull}, {1, log_fd}, {2, log_fd}};
  o.new_process_group = true;
  return process::Spawn(argv, o);
}

// Reap notes a server that has exited, without blocking.
bool Reap(Running& r) { return r.child.Poll().has_value(); }

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
    if (!Reap(r)) (void)r.child.SignalGroup(SIGTERM);
  }
  absl::Time deadline = absl::Now() + grace;
  for (Running& r : servers) (void)r.child.Wait(deadline);
  for (Running& r : servers) {
    if (!r.child.status()) {
      err << "with_server: " << r.spec.name << " did not stop within " << absl::FormatDuration(grace)
          << " of SIGTERM: killed\n";
      (void)r.child.SignalGroup(SIGKILL);
      (void)r.child.Wait();
    }
    // Whatever the server left running in its group goes too.
    (void)r.child.SignalGroup(SIGKILL);
  }
}

}  // namespace

absl::StatusOr<Plan> Validate(const Options& o) {
  if (o.command.empty()) return absl::InvalidArgumentError("missing command after --");
  if (o.server_args.empty()) return absl::InvalidArgumentError("no servers: give --server NAME[:N]=COMMAND");
  Plan p;
  std::set<std::string> names;
  for (const std::string& a : o.server_args) {
    absl::StatusOr<ServerSpec> s = ParseServerSpec(a);
    if (!s.ok()) return s.status();
    if (!names.insert(s->name).second) {
      return absl::InvalidArgumentError(absl::StrCat("--server ", s->name, " given twice"));
    }
    p.servers.push_back(*std::move(s));
  }
  if (o.grace < absl::ZeroDuration()) return absl::InvalidArgumentError("--grace must not be negative");
  if (o.ready_timeout <= absl::ZeroDuration()) return absl::InvalidArgumentError("--ready-timeout must be positive");
  p.command = o.command;
  p.ready_timeout = o.ready_timeout;
  p.grace = o.grace;
  p.log_dir = o.log_dir;
  p.verbose = o.verbose;
  return p;
}

namespace {

// Session is one run: the work directory, the servers, and the signals and
// file events it waits on. Each step returns the reason it failed, which
// Run prints after "with_server: ".
class Session {
 public:
  Session(const Plan& p, std::ostream& err) : p_(p), err_(err) {}
  ~Session() {
    Stop(servers_, p_.grace, err_);
    if (!work_.empty() && (ok_ || log_dir_ != work_)) RemoveTree(work_);  // A failure's logs stay for a look.
  }

  // Prepare makes the work directory and starts taking SIGTERM, SIGINT and
  // SIGHUP on a signalfd (forwarded to the command later).
  absl::Status Prepare() {
    absl::StatusOr<std::string> work = MakeWorkDir();
    if (!work.ok()) return work.status();
    work_ = *work;
    log_dir_ = !p_.log_dir.empty() ? p_.log_dir : Getenv("TEST_UNDECLARED_OUTPUTS_DIR");
    if (log_dir_.empty()) log_dir_ = work_;
    absl::StatusOr<signal::SignalSource> sigs = signal::SignalSource::Create({SIGTERM, SIGINT, SIGHUP});
    if (!sigs.ok()) return sigs.status();
    sigs_.emplace(*std::move(sigs));
    inotify_ = io::UniqueFd(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    if (inotify_) {
      for (const std::string& d : {work_, log_dir_}) {
        ::inotify_add_watch(inotify_.get(), d.c_str(), IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE);
      }
    }
    return absl::OkStatus();
  }

  // StartServers starts every server, its output to NAME.log in the log dir.
  absl::Status StartServers() {
    for (const ServerSpec& spec : p_.servers) {
      Running r;
      r.spec = spec;
      r.log = absl::StrCat(log_dir_, "/", spec.name, ".log");
      r.port_file = absl::StrCat(work_, "/", spec.name, ".port");
      std::vector<std::string> argv;
      for (const std::string& a : spec.command) {
        argv.push_back(absl::StrReplaceAll(a, {{"{port_file}", r.port_file}, {"{tmpdir}", work_}}));
      }
      io::UniqueFd log(::open(r.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644));
      if (!log) return absl::ErrnoToStatus(errno, absl::StrCat("open ", r.log));
      absl::StatusOr<process::Child> child = Start(argv, log.get());
      if (!child.ok()) return absl::Status(child.status().code(), absl::StrCat(spec.name, ": ", child.status().message()));
      r.child = *std::move(child);
      servers_.push_back(std::move(r));
    }
    return absl::OkStatus();
  }

  // WaitReady waits until every server has reported its listeners, one
  // exits, a signal comes, or --ready-timeout passes.
  absl::Status WaitReady() {
    absl::Time deadline = absl::Now() + p_.ready_timeout;
    for (;;) {
      absl::Status s = CheckAll(absl::Now() >= deadline);
      if (!s.ok() || AllReady()) return s;
      std::vector<struct pollfd> fds;
      if (inotify_) fds.push_back({inotify_.get(), POLLIN, 0});
      fds.push_back({sigs_->fd(), POLLIN, 0});
      bool all_pidfds = true;
      for (Running& r : servers_) {
        if (r.child.pidfd() >= 0) {
          fds.push_back({r.child.pidfd(), POLLIN, 0});
        } else {
          all_pidfds = false;
        }
      }
      // Without inotify or pidfds, look again every 10ms (until the deadline).
      absl::Time wake = deadline;
      if (!inotify_ || !all_pidfds) wake = std::min(wake, absl::Now() + absl::Milliseconds(10));
      if (::poll(fds.data(), fds.size(), io::PollTimeoutMs(wake)) < 0 && errno != EINTR) {
        return absl::ErrnoToStatus(errno, "poll");
      }
      if (inotify_) {
        char buf[4096];
        while (::read(inotify_.get(), buf, sizeof(buf)) > 0) {
        }
      }
      absl::StatusOr<std::vector<signal::SignalInfo>> got = sigs_->Read();
      if (got.ok() && !got->empty()) {
        return absl::AbortedError(absl::StrCat("signal ", got->front().signo, " while starting servers"));
      }
    }
  }

  // RunCommand runs the command with every server's variables, forwarding
  // our signals to it, and returns its exit status.
  absl::StatusOr<int> RunCommand() {
    process::SpawnOptions cmd_options;
    cmd_options.env = Environment();
    absl::StatusOr<process::Child> cmd = process::Spawn(p_.command, cmd_options);
    if (!cmd.ok()) {
      err_ << "with_server: " << cmd.status().message() << "\n";
      ok_ = true;  // Not a server's failure: no logs to keep.
      return absl::IsNotFound(cmd.status()) ? 127 : 126;
    }
    while (!cmd->Poll()) {
      std::vector<struct pollfd> fds = {{sigs_->fd(), POLLIN, 0}};
      if (cmd->pidfd() >= 0) fds.push_back({cmd->pidfd(), POLLIN, 0});
      ::poll(fds.data(), fds.size(), cmd->pidfd() >= 0 ? -1 : 10);
      absl::StatusOr<std::vector<signal::SignalInfo>> got = sigs_->Read();
      for (const signal::SignalInfo& si : got.ok() ? *got : std::vector<signal::SignalInfo>()) {
        (void)cmd->Signal(si.signo);  // Forward; the command decides.
      }
    }
    for (Running& r : servers_) {
      // A server that ended by itself with status 0 (nc -l after its client)
      // is no news; a failed one is.
      if (Reap(r) && !r.child.status()->Success()) {
        err_ << "with_server: warning: " << r.spec.name << " " << Ended(*r.child.status())
             << " while the command ran; log: " << r.log << "\n";
      }
    }
    ok_ = true;
    return cmd->status()->ShellCode();
  }

 private:
  // CheckAll reads what each server has reported; a server that exited
  // before it was ready fails, and so (once `late`) does one not ready yet.
  absl::Status CheckAll(bool late) {
    for (Running& r : servers_) {
      Check(r);
      if (r.ready) continue;
      if (Reap(r)) {
        return absl::UnavailableError(absl::StrCat(r.spec.name, " ", Ended(*r.child.status()),
                                                   " before it was ready; log: ", r.log, "\n", Tail(r.log, 20)));
      }
      if (late) {
        std::string what = r.spec.uses_port_file ? "lines in its port file" : "'listening on' lines";
        return absl::DeadlineExceededError(absl::StrCat(
            r.spec.name, " not ready after ", absl::FormatDuration(p_.ready_timeout), " (saw ", r.addrs.size(), " of ",
            r.spec.listeners, " ", what, "); log: ", r.log, "\n", Tail(r.log, 20)));
      }
    }
    return absl::OkStatus();
  }

  bool AllReady() const {
    return std::all_of(servers_.begin(), servers_.end(), [](const Running& r) { return r.ready; });
  }

  // Environment returns ours plus every server's addresses, PID and log,
  // and WITH_SERVER_TMPDIR (printed on stderr with -v).
  std::vector<std::string> Environment() {
    std::map<std::string, std::string> vars;
    for (Running& r : servers_) {
      for (size_t i = 0; i < r.addrs.size(); ++i) {
        for (auto& [k, v] : AddressEnvironment(r.spec.name, static_cast<int>(i), r.addrs[i])) vars[k] = v;
      }
      vars[r.spec.name + "_PID"] = absl::StrCat(r.child.pid());
      vars[r.spec.name + "_LOG"] = r.log;
    }
    vars["WITH_SERVER_TMPDIR"] = work_;
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string kv = *e;
      if (vars.count(kv.substr(0, kv.find('='))) == 0) env.push_back(kv);
    }
    for (const auto& [k, v] : vars) env.push_back(absl::StrCat(k, "=", v));
    if (p_.verbose) {
      for (const auto& [k, v] : vars) err_ << "with_server: " << k << "=" << v << "\n";
    }
    return env;
  }

  const Plan& p_;
  std::ostream& err_;
  std::string work_, log_dir_;
  std::optional<signal::SignalSource> sigs_;
  io::UniqueFd inotify_;
  std::vector<Running> servers_;
  bool ok_ = false;  // Set once the servers came up; else the logs are kept.
};

}  // namespace

int Run(const Plan& plan, std::ostream& err) {
  Session session(plan, err);
  absl::Status s = session.Prepare();
  if (s.ok()) s = session.StartServers();
  if (s.ok()) s = session.WaitReady();
  if (!s.ok()) {
    err << "with_server: " << s.message();
    if (!absl::EndsWith(s.message(), "\n")) err << "\n";
    return kExitSetup;
  }
  absl::StatusOr<int> code = session.RunCommand();
  return code.ok() ? *code : kExitSetup;
}

}  // namespace ipckit::with_server
