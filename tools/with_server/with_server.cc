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

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "lib/io/eintr.h"
#include "lib/io/fd.h"
#include "lib/io/unique_fd.h"
#include "lib/io/wait.h"
#include "lib/net/socket.h"
#include "lib/process/exit_status.h"
#include "lib/process/spawn.h"
#include "lib/signal/signal_source.h"
#include "tools/with_server/adopted.h"
#include "tools/with_server/readiness.h"
#include "tools/with_server/server.h"

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
  absl::Status st = ApplyPerServer(o.per_server, p.servers);
  if (!st.ok()) return st;
  st = CheckReferences(p.servers);
  if (!st.ok()) return st;
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

// Session is one run: the work directory, the servers (started in order,
// each ready before the next starts, so a later one's command can use an
// earlier one's variables), and the signals and file events it waits on.
// Each step returns the reason it failed, which Run prints after
// "with_server: ".
class Session {
 public:
  Session(const Plan& p, std::ostream& err) : p_(p), err_(err) {}
  ~Session() {
    StopAll();
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
    absl::Status sub = BecomeSubreaper();  // A server's daemon, a command's background job: ours to stop.
    if (!sub.ok()) return sub;
    inotify_ = io::UniqueFd(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    if (inotify_) {
      for (const std::string& d : {work_, log_dir_}) {
        ::inotify_add_watch(inotify_.get(), d.c_str(), IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE);
      }
    }
    vars_["WITH_SERVER_TMPDIR"] = work_;
    return absl::OkStatus();
  }

  // StartServers starts each server in turn and waits until it is ready
  // before the next, all within one --ready-timeout.
  absl::Status StartServers() {
    deadline_ = absl::Now() + p_.ready_timeout;
    for (const ServerSpec& spec : p_.servers) {
      absl::Status s = StartServer(spec);
      if (s.ok()) s = WaitReady(servers_.back());
      if (!s.ok()) return s;
      Running& r = servers_.back();
      for (size_t i = 0; i < r.addrs.size(); ++i) {
        for (auto& [k, v] : AddressEnvironment(r.spec.name, static_cast<int>(i), r.addrs[i])) vars_[k] = v;
      }
      vars_[r.spec.name + "_PID"] = absl::StrCat(r.child.pid());
      vars_[r.spec.name + "_LOG"] = r.log;
      if (p_.verbose) err_ << "with_server: " << r.spec.name << " ready\n";
    }
    return absl::OkStatus();
  }

  // RunCommand runs the command with every server's variables, forwarding
  // our signals to it, and returns its exit status; or kExitSetup when a
  // server exits meanwhile (one not marked --may-exit): the command is then
  // stopped as a group (process::Child::Stop: its background jobs too,
  // SIGKILL after --grace). The command has a process group of its own
  // unless stdin is a terminal (job control needs it in the foreground
  // group); what it leaves behind is adopted and stopped (StopLeftovers).
  absl::StatusOr<int> RunCommand() {
    process::SpawnOptions cmd_options;
    cmd_options.env = Environment();
    cmd_options.env->push_back(absl::StrCat(kOwnerVariable, "=", kCommandOwner));
    cmd_options.parent_death_signal = SIGTERM;
    cmd_options.new_process_group = ::isatty(STDIN_FILENO) == 0;
    absl::StatusOr<process::Child> cmd = process::Spawn(p_.command, cmd_options);
    ok_ = true;  // The servers came up: their logs need not stay, unless one fails later.
    if (!cmd.ok()) {
      err_ << "with_server: " << cmd.status().message() << "\n";
      return absl::IsNotFound(cmd.status()) ? 127 : 126;
    }
    while (!cmd->Poll()) {
      std::vector<struct pollfd> fds = {{sigs_->fd(), POLLIN, 0}};
      if (cmd->pidfd() >= 0) fds.push_back({cmd->pidfd(), POLLIN, 0});
      for (Running& r : servers_) {
        if (r.child.pidfd() >= 0 && !r.spec.may_exit && !r.child.status()) fds.push_back({r.child.pidfd(), POLLIN, 0});
      }
      bool all_pidfds = cmd->pidfd() >= 0 && absl::c_all_of(servers_, [](const Running& r) { return r.child.pidfd() >= 0; });
      ::poll(fds.data(), fds.size(), all_pidfds ? -1 : 10);
      absl::StatusOr<std::vector<signal::SignalInfo>> got = sigs_->Read();
      for (const signal::SignalInfo& si : got.ok() ? *got : std::vector<signal::SignalInfo>()) {
        (void)cmd->Signal(si.signo);  // Forward; the command decides.
      }
      for (Running& r : servers_) {
        if (r.spec.may_exit || !Reap(r)) continue;
        std::string daemon = StopDaemonsOf(r);
        if (!daemon.empty()) {
          err_ << "with_server: " << daemon;
        } else {
          err_ << "with_server: " << r.spec.name << " " << Ended(*r.child.status())
               << " while the command ran; log: " << Where(r.log) << "\n" << Tail(r.log, 20);
        }
        ok_ = false;  // The log just named stays.
        cmd->Stop(p_.grace);
        return kExitSetup;
      }
    }
    return cmd->status()->ShellCode();
  }

  // StopAll stops the servers in reverse order, each after the one started
  // after it; it returns false when one stopped uncleanly (and was not
  // allowed to), having said so.
  bool StopAll() {
    bool clean = true;
    for (auto r = servers_.rbegin(); r != servers_.rend(); ++r) {
      std::string why = StopOne(*r, p_.grace);
      if (why.empty()) continue;
      err_ << "with_server: " << (r->spec.allow_unclean_stop ? "" : "error: ") << r->spec.name << " " << why
           << "; log: " << Where(r->log) << "\n" << (r->spec.allow_unclean_stop ? "" : Tail(r->log, 20));
      ok_ = false;  // The log just named stays.
      clean = clean && r->spec.allow_unclean_stop;
    }
    servers_.clear();
    return clean;
  }

  // StopLeftovers stops every process still adopted once the servers have
  // stopped: a server's daemon (said, and the run fails) or the command's
  // background jobs (said). It returns false when a server left one.
  bool StopLeftovers() {
    bool clean = true;
    // What the servers' group SIGTERM reached may still be on its way out
    // (a socat child closing its connection): a second to go by itself.
    absl::Time settle = absl::Now() + std::min(p_.grace, absl::Seconds(1));
    while (!AdoptedChildren({}).empty() && absl::Now() < settle) absl::SleepFor(absl::Milliseconds(10));
    // A stopped daemon's own children (nginx's workers) may be adopted in
    // turn: a few rounds, until none is left.
    for (int round = 0; round < 5; ++round) {
      std::vector<Adopted> left = AdoptedChildren({});
      if (left.empty()) break;
      clean = StopRound(left) && clean;
    }
    if (!clean) ok_ = false;
    return clean;
  }

  // StopRound says what each of `left` is and stops them; false when one
  // was a server's (its owner is a server, or unknown: not the command's).
  bool StopRound(const std::vector<Adopted>& left) {
    bool clean = true;
    for (const Adopted& a : left) {
      auto program = programs_.find(a.owner);
      if (program != programs_.end()) {
        clean = false;
        err_ << "with_server: error: " << a.owner << " left pid " << a.pid << " (" << a.command
             << ") running in the background; stopped it. Keep the server in the foreground: "
             << ForegroundHint(ProgramOf(a, program->second)) << "\n";
      } else if (a.owner == kCommandOwner) {
        err_ << "with_server: stopped pid " << a.pid << " (" << a.command << "), left running by the command\n";
      } else {
        // Its environment does not say (a daemon that cleared it, as nginx
        // does): not the command's, so a server's.
        clean = false;
        err_ << "with_server: error: pid " << a.pid << " (" << a.command
             << ") was left running in the background by a server; stopped it. Keep servers in the foreground: "
             << ForegroundHint(ProgramOf(a, "")) << "\n";
      }
    }
    StopAdopted(left, p_.grace);
    return clean;
  }

 private:
  // StartServer starts one server, its command's placeholders replaced and
  // its output to NAME.log in the log dir.
  absl::Status StartServer(const ServerSpec& spec) {
    Running r;
    r.spec = spec;
    r.log = absl::StrCat(log_dir_, "/", spec.name, ".log");
    r.port_file = absl::StrCat(work_, "/", spec.name, ".port");
    if (spec.ready == Ready::kActivation) {
      absl::StatusOr<net::Listener> l = net::Listener::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), {});
      if (!l.ok()) return absl::Status(l.status().code(), absl::StrCat(spec.name, ": ", l.status().message()));
      r.port = l->address().port();
      r.activation.emplace(*std::move(l));
    } else if (spec.uses_port) {
      absl::StatusOr<uint16_t> port = FreePort();
      if (!port.ok()) return port.status();
      r.port = *port;
    }
    std::vector<std::pair<std::string, std::string>> subst = {
        {"{port_file}", r.port_file}, {"{tmpdir}", work_}, {"{port}", absl::StrCat(r.port)}};
    for (const auto& [k, v] : vars_) subst.push_back({absl::StrCat("{", k, "}"), v});
    for (const std::string& a : spec.command) r.argv.push_back(absl::StrReplaceAll(a, subst));
    io::UniqueFd log(::open(r.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644));
    if (!log) return absl::ErrnoToStatus(errno, absl::StrCat("open ", r.log));
    absl::StatusOr<process::Child> child =
        Start(r.argv, spec.name, log.get(), r.activation ? r.activation->fd() : -1);
    if (!child.ok()) return absl::Status(child.status().code(), absl::StrCat(spec.name, ": ", child.status().message()));
    r.child = *std::move(child);
    programs_[spec.name] = r.argv.empty() ? "" : r.argv[0];
    if (p_.verbose) err_ << "with_server: started " << spec.name << ": " << absl::StrJoin(r.argv, " ") << "\n";
    servers_.push_back(std::move(r));
    return absl::OkStatus();
  }

  // FreePort returns a TCP port that was free on 127.0.0.1 a moment ago.
  static absl::StatusOr<uint16_t> FreePort() {
    absl::StatusOr<net::Listener> l = net::Listener::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), {});
    if (!l.ok()) return l.status();
    return l->address().port();
  }

  // WaitReady waits until `r` is ready, exits (an error), a signal comes, or
  // the deadline passes (an error naming what was missing).
  absl::Status WaitReady(Running& r) {
    for (;;) {
      Check(r, deadline_);
      if (r.ready && r.http_ok) return absl::OkStatus();
      if (Reap(r)) {
        std::string daemon = StopDaemonsOf(r);
        if (!daemon.empty()) return absl::FailedPreconditionError(daemon);
        return absl::UnavailableError(absl::StrCat(r.spec.name, " ", Ended(*r.child.status()),
                                                   " before it was ready; log: ", Where(r.log), "\n", Tail(r.log, 20)));
      }
      if (absl::Now() >= deadline_) {
        return absl::DeadlineExceededError(absl::StrCat(r.spec.name, " not ready after ",
                                                        absl::FormatDuration(p_.ready_timeout), " (", Missing(r),
                                                        "); log: ", Where(r.log), "\n", Tail(r.log, 20)));
      }
      absl::Status s = Sleep(r);
      if (!s.ok()) return s;
    }
  }

  // StopDaemonsOf stops what server `r` left running in the background once
  // its own process exited (a daemon, adopted by us), and returns what to
  // say about it: "R forked into the background ...", or "" if nothing.
  std::string StopDaemonsOf(const Running& r) {
    // Its own, and those whose environment no longer says (nginx clears
    // it, redis-server writes its title over it): just after r's exit,
    // they are r's.
    std::vector<Adopted> left;
    for (Adopted& a : AdoptedChildren({})) {
      if (a.owner == r.spec.name || (a.owner != kCommandOwner && programs_.count(a.owner) == 0)) {
        left.push_back(std::move(a));
      }
    }
    if (left.empty()) return "";
    StopAdopted(left, p_.grace);
    ok_ = false;  // Its log stays.
    std::string pids;
    for (const Adopted& a : left) absl::StrAppend(&pids, pids.empty() ? "" : ", ", a.pid, " (", a.command, ")");
    return absl::StrCat(r.spec.name, " forked into the background and its process ", Ended(*r.child.status()),
                        "; with_server stopped what it left running: pid ", pids,
                        ". Keep the server in the foreground: ",
                        ForegroundHint(ProgramOf(left[0], r.argv.empty() ? "" : r.argv[0])),
                        "; log: ", Where(r.log), "\n");
  }

  // Where names a server's log for a message: its path, and under Bazel
  // (the log in the test's outputs directory, which is in a sandbox gone
  // once the test ends) where the user will find it: "bazel-testlogs/PKG/
  // TEST/test.outputs/NAME.log (or in outputs.zip there)".
  std::string Where(const std::string& log) const {
    std::string target = Getenv("TEST_TARGET");  // //pkg:name
    if (target.empty() || log_dir_ != Getenv("TEST_UNDECLARED_OUTPUTS_DIR") || !absl::StartsWith(target, "//")) {
      return log;
    }
    std::string rel = absl::StrReplaceAll(target.substr(2), {{":", "/"}});
    std::string name = log.substr(log.rfind('/') + 1);
    return absl::StrCat("bazel-testlogs/", rel, "/test.outputs/", name, " (or in outputs.zip there; now at ", log,
                        ")");
  }

  // Missing says what a server that is not ready has not shown yet.
  std::string Missing(const Running& r) const {
    if (r.ready) return absl::StrCat("GET ", r.spec.http_path, " on ", r.addrs.empty() ? "?" : r.addrs[0],
                                     " never answered 2xx; last: ", r.http_error);
    switch (r.spec.ready) {
      case Ready::kLog: return absl::StrCat("no log line matched '", r.spec.log_pattern_text, "'");
      case Ready::kPort: return absl::StrCat("nothing accepted connections on 127.0.0.1:", r.port);
      case Ready::kPortFile:
        return absl::StrCat("saw ", PortFileAddresses(ReadFile(r.port_file), "h").size(), " of ", r.spec.listeners,
                            " lines in its port file");
      default: {
        std::string passed_over;
        size_t n = LinesFound(r.log, &passed_over).size();
        return absl::StrCat("saw ", n, " of ", r.spec.listeners, " 'listening on' lines",
                            passed_over.empty() ? ""
                                                : absl::StrCat("; passed over '", passed_over,
                                                               "', which names no address: give --ready-log"));
      }
    }
  }

  // Sleep waits for the next thing worth a look: the log or port file
  // changing, the server exiting, a signal (an error), or a poll interval
  // for what no event announces ({port}'s connect, --ready-http's GET).
  absl::Status Sleep(const Running& r) {
    std::vector<struct pollfd> fds = {{sigs_->fd(), POLLIN, 0}};
    if (inotify_) fds.push_back({inotify_.get(), POLLIN, 0});
    if (r.child.pidfd() >= 0) fds.push_back({r.child.pidfd(), POLLIN, 0});
    absl::Time wake = deadline_;
    bool polling = r.spec.ready == Ready::kPort || (r.ready && !r.http_ok) ||
                   (r.spec.ready == Ready::kLog && r.log_matched != absl::InfiniteFuture());
    if (!inotify_ || r.child.pidfd() < 0 || polling) wake = std::min(wake, absl::Now() + absl::Milliseconds(20));
    if (::poll(fds.data(), fds.size(), io::PollTimeoutMs(wake)) < 0 && !io::WouldBlock(errno)) {
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
    return absl::OkStatus();
  }

  // Environment returns ours plus every server's variables and
  // WITH_SERVER_TMPDIR (printed on stderr with -v).
  std::vector<std::string> Environment() {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string kv = *e;
      if (vars_.count(kv.substr(0, kv.find('='))) == 0) env.push_back(kv);
    }
    for (const auto& [k, v] : vars_) env.push_back(absl::StrCat(k, "=", v));
    if (p_.verbose) {
      for (const auto& [k, v] : vars_) err_ << "with_server: " << k << "=" << v << "\n";
    }
    return env;
  }

  const Plan& p_;
  std::ostream& err_;
  std::string work_, log_dir_;
  absl::Time deadline_;
  std::map<std::string, std::string> vars_;
  std::optional<signal::SignalSource> sigs_;
  io::UniqueFd inotify_;
  std::vector<Running> servers_;
  std::map<std::string, std::string> programs_;  // Each server's program, for ForegroundHint.
  bool ok_ = false;  // Set once the servers came up; else the logs are kept.
};

}  // namespace

absl::Status Run(const Plan& plan, std::ostream& err) {
  Session session(plan, err);
  absl::Status s = session.Prepare();
  if (s.ok()) s = session.StartServers();
  if (!s.ok()) {
    session.StopAll();
    session.StopLeftovers();
    err << "with_server: " << s.message();
    if (!absl::EndsWith(s.message(), "\n")) err << "\n";
    return cli::ExitWith(kExitSetup);
  }
  absl::StatusOr<int> code = session.RunCommand();
  bool clean = session.StopAll();
  clean = session.StopLeftovers() && clean;
  if (!code.ok()) return cli::ExitWith(kExitSetup);
  // A server that stopped uncleanly fails a command that passed; a command
  // that failed keeps its own status (the servers' trouble was printed).
  return cli::ExitWith(*code == 0 && !clean ? kExitSetup : *code);
}

}  // namespace ipckit::with_server
