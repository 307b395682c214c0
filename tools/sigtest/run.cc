#include "tools/sigtest/run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>


#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/cli/exit_code.h"
#include "lib/cli/options.h"
#include "lib/io/fd.h"
#include "lib/io/unique_fd.h"
#include "lib/io/wait.h"
#include "lib/json/json_writer.h"
#include "lib/process/exit_status.h"
#include "lib/process/spawn.h"
#include "lib/signal/names.h"
#include "lib/signal/signal_source.h"

namespace ipckit::sigtest {
namespace {

using signal::SignalName;

absl::StatusOr<std::vector<int>> Signals(const std::string& list) {
  if (list.empty()) return std::vector<int>();
  return signal::ParseSignalList(list);
}

// Children returns the PIDs whose parent is this process, other than `skip`.
std::vector<pid_t> Children(pid_t skip) {
  std::vector<pid_t> out;
  std::string text = io::ReadFile(absl::StrCat("/proc/self/task/", ::getpid(), "/children")).value_or("");
  for (absl::string_view field : absl::StrSplit(text, ' ', absl::SkipWhitespace())) {
    pid_t pid;
    if (absl::SimpleAtoi(field, &pid) && pid != skip) out.push_back(pid);
  }
  return out;
}


std::string Comm(pid_t pid) {
  std::string c = io::ReadFile(absl::StrCat("/proc/", pid, "/comm")).value_or("");
  return c.substr(0, c.find('\n'));
}

}  // namespace

absl::StatusOr<std::map<int, int>> ParseRemaps(const std::vector<std::string>& remaps) {
  std::map<int, int> out;
  for (const std::string& r : remaps) {
    size_t eq = r.find('=');
    int from = 0, to = 0;
    if (eq == std::string::npos || !absl::SimpleAtoi(r.substr(0, eq), &from) ||
        !absl::SimpleAtoi(r.substr(eq + 1), &to) || from < 0 || from > 255 || to < 0 || to > 255) {
      return absl::InvalidArgumentError(absl::StrCat("--remap: expected FROM=TO, got '", r, "'"));
    }
    out[from] = to;
  }
  return out;
}

absl::StatusOr<std::map<int, int>> ParseRewrites(const std::vector<std::string>& rewrites) {
  std::map<int, int> out;
  for (const std::string& r : rewrites) {
    size_t eq = r.find('=');
    absl::StatusOr<int> from = eq == std::string::npos ? absl::InvalidArgumentError("") : signal::ParseSignal(r.substr(0, eq));
    absl::StatusOr<int> to = eq == std::string::npos ? absl::InvalidArgumentError("") : signal::ParseSignal(r.substr(eq + 1));
    if (!from.ok() || !to.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--rewrite: expected SIG=SIG, got '", r, "'"));
    }
    out[*from] = *to;
  }
  return out;
}

cli::ToolInfo RunToolInfo() {
  return cli::ToolInfo{"sigtest run", {"[OPTIONS] -- CMD [ARGS...]"},
                    "Run CMD in its own process group as a subreaper: forward signals to it,\n"
                    "escalate TERM to KILL on timeout, reap orphans, report how it ended.",
                    "Exit status: CMD's exit code; 128+N if a signal N ended it; 124 on timeout\n"
                    "(137 if the timeout signal was KILL or KILL was needed; --preserve-status: CMD's\n"
                    "own); 127 if CMD was not found, 126 if it could not run; then --remap applies.\n"
                    "A --timeout or --kill-after of 0 is no limit, as GNU timeout's. CMD runs in a\n"
                    "process group of its own, which gets the terminal (if ours) while it runs;\n"
                    "--foreground keeps it in ours instead, and then only CMD is signalled (its\n"
                    "children are not timed out). The report line goes to stderr.",
                    true};
}

void DeclareRunOptions(cli::Parser& p, RunOptions* o) {
  p.Duration(0, "timeout", "DURATION", "send --signal to CMD after DURATION", &o->timeout)
      .Duration(0, "kill-after", "DURATION", "then KILL after DURATION more", &o->kill_after)
      .String(0, "signal", "SIG", "the timeout signal (default TERM)", &o->signal)
      .String(0, "forward", "MODE", "forward signals to CMD's process group (group) or to CMD (child)", &o->forward)
      .Strings(0, "remap", "A=B", "exit with B when the code would be A (repeatable)", &o->remap)
      .String(0, "ignore", "SIGS", "CMD starts with these signals ignored", &o->ignore)
      .String(0, "block", "SIGS", "CMD starts with these signals blocked", &o->block)
      .String(0, "default", "SIGS", "CMD starts with these signals at their default action", &o->default_)
      .Flag(0, "kill-orphans", "KILL descendants still running when CMD exits", &o->kill_orphans)
      .Duration(0, "grace", "DURATION", "after CMD exits, wait this long for its descendants (100ms)", &o->grace)
      .Flag(0, "json", "report as JSON", &o->json)
      .Flag(0, "preserve-status", "exit with CMD's status even when the timeout fired (GNU timeout's)",
            &o->preserve_status)
      .Flag(0, "foreground", "keep CMD in our process group, signal only CMD (GNU timeout's --foreground)",
            &o->foreground)
      .String(0, "pdeathsig", "SIG", "CMD gets SIG if sigtest dies (prctl PR_SET_PDEATHSIG)", &o->pdeathsig)
      .Strings(0, "rewrite", "SIG=SIG", "forward the first signal as the second (repeatable; dumb-init -r)",
               &o->rewrite);
}

absl::StatusOr<RunPlan> ValidateRun(const RunOptions& o) {
  RunPlan p;
  if (o.command.empty()) return absl::InvalidArgumentError("missing command (sigtest run [OPTIONS] -- CMD...)");
  p.command = o.command;
  absl::StatusOr<int> timeout_sig = signal::ParseSignal(o.signal);
  if (!timeout_sig.ok()) return timeout_sig.status();
  p.timeout_signal = *timeout_sig;
  if (o.forward != "group" && o.forward != "child") {
    return absl::InvalidArgumentError(absl::StrCat("--forward: expected group or child, got '", o.forward, "'"));
  }
  // GNU timeout's --foreground signals only CMD, whatever --forward says.
  p.forward_to_group = o.forward == "group" && !o.foreground;
  absl::StatusOr<std::map<int, int>> remaps = ParseRemaps(o.remap);
  if (!remaps.ok()) return remaps.status();
  p.remaps = *std::move(remaps);
  for (auto [list, out] : {std::pair{&o.ignore, &p.ignore}, {&o.block, &p.block}, {&o.default_, &p.default_signals}}) {
    absl::StatusOr<std::vector<int>> sigs = Signals(*list);
    if (!sigs.ok()) return sigs.status();
    *out = *std::move(sigs);
  }
  absl::StatusOr<std::map<int, int>> rewrites = ParseRewrites(o.rewrite);
  if (!rewrites.ok()) return rewrites.status();
  p.rewrites = *std::move(rewrites);
  if (!o.pdeathsig.empty()) {
    absl::StatusOr<int> sig = signal::ParseSignal(o.pdeathsig);
    if (!sig.ok()) return absl::InvalidArgumentError(absl::StrCat("--pdeathsig: ", sig.status().message()));
    p.pdeath_signal = *sig;
  }
  p.foreground = o.foreground;
  p.preserve_status = o.preserve_status;
  // As GNU timeout: 0 is no limit.
  p.timeout = o.timeout == absl::ZeroDuration() ? absl::InfiniteDuration() : o.timeout;
  p.kill_after = o.kill_after == absl::ZeroDuration() ? absl::InfiniteDuration() : o.kill_after;
  p.kill_orphans = o.kill_orphans;
  p.grace = o.grace;
  p.json = o.json;
  return p;
}

int RunExitCode(const RunPlan& p, const process::ExitStatus& status, bool timed_out, bool killed) {
  int code = status.ShellCode();
  if (timed_out && !p.preserve_status) {
    code = killed || p.timeout_signal == SIGKILL ? 128 + SIGKILL : kExitTimedOut;
  }
  auto remap = p.remaps.find(code);
  return remap != p.remaps.end() ? remap->second : code;
}

namespace {

// Supervision is how the command ended, and whether the timeout fired and
// KILL was needed.
struct Supervision {
  process::ExitStatus status;
  bool timed_out = false;
  bool killed = false;
};

// Supervise forwards each signal `src` delivers to the command (or its
// group), fires the timeout signal and then KILL after --kill-after (the
// timeout signal and a forwarded TERM, INT, HUP or QUIT come with a
// SIGCONT, as GNU timeout's), and
// reaps every child, orphans reparented to us included, until the command
// has exited. It fails only if the signalfd does.
absl::StatusOr<Supervision> Supervise(const RunPlan& p, process::Child& child, signal::SignalSource& src,
                                      absl::Time start) {
  auto send = [&](int sig) { (void)(p.forward_to_group ? child.SignalGroup(sig) : child.Signal(sig)); };
  // end sends a signal meant to end the command and then SIGCONT, as GNU
  // timeout does (but not with --foreground): a stopped command holds the
  // signal pending until it runs again. Only the stopped get the CONT
  // (process::ContinueIfStopped): one landing in the exit the signal
  // started hangs a LeakSanitizer-built command's leak check.
  auto end = [&](int sig) {
    send(sig);
    if (!p.foreground && sig != SIGKILL && sig != SIGCONT) process::ContinueIfStopped(child.pid(), p.forward_to_group);
  };
  Supervision out;
  absl::Time timeout_at = p.timeout == absl::InfiniteDuration() ? absl::InfiniteFuture() : start + p.timeout;
  absl::Time kill_at = absl::InfiniteFuture();
  while (!child.status()) {
    absl::Time now = absl::Now();
    if (!out.timed_out && now >= timeout_at) {
      out.timed_out = true;
      end(p.timeout_signal);
      if (p.kill_after != absl::InfiniteDuration()) kill_at = now + p.kill_after;
    }
    if (out.timed_out && !out.killed && now >= kill_at) {
      out.killed = true;
      if (!p.foreground) (void)child.SignalGroup(SIGKILL);
      (void)child.Signal(SIGKILL);
    }
    absl::StatusOr<bool> ready = io::WaitUntil(src.fd(), POLLIN, out.timed_out ? kill_at : timeout_at, "signals");
    if (!ready.ok()) return ready.status();
    absl::StatusOr<std::vector<signal::SignalInfo>> sigs = src.Read();
    if (!sigs.ok()) return sigs.status();
    for (const signal::SignalInfo& s : *sigs) {
      if (s.signo == SIGCHLD) continue;
      auto rewrite = p.rewrites.find(s.signo);
      int sig = rewrite != p.rewrites.end() ? rewrite->second : s.signo;
      bool ending = sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT;
      if (ending) {
        end(sig);
      } else {
        send(sig);
      }
    }
    for (;;) {
      int st = 0;
      pid_t r = ::waitpid(-1, &st, WNOHANG);
      if (r <= 0) break;
      if (r == child.pid()) child.Reaped(st);
    }
  }
  out.status = *child.status();
  return out;
}

// ReapDescendants gives the rest of the command's descendants --grace to
// exit (a forwarded signal usually reached them too), reaping them as they
// go; then it kills (--kill-orphans) or reports on `report` any still running.
// Those dead (zombies) or dying from our KILL are reaped, not reported.
void ReapDescendants(const RunPlan& p, pid_t child, bool killed, signal::SignalSource& src, std::ostream& report) {
  absl::Time grace_end = absl::Now() + p.grace;
  while (!Children(child).empty() && absl::Now() < grace_end) {
    (void)io::WaitUntil(src.fd(), POLLIN, grace_end, "signals");
    (void)src.Read();
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
  }
  std::vector<pid_t> left;
  for (pid_t pid : Children(child)) {
    process::ProcStat st = process::ReadProcStat(pid);
    if (st.state == 'Z' || st.state == 0 || (killed && st.pgrp == child)) {
      ::waitpid(pid, nullptr, 0);
    } else {
      left.push_back(pid);
    }
  }
  if (left.empty()) return;
  std::vector<std::string> names;
  for (pid_t pid : left) names.push_back(absl::StrCat(pid, " (", Comm(pid), ")"));
  if (p.kill_orphans) {
    for (pid_t pid : left) ::kill(pid, SIGKILL);
    for (pid_t pid : left) ::waitpid(pid, nullptr, 0);
    report << "sigtest: killed orphans: " << absl::StrJoin(names, ", ") << "\n";
  } else {
    report << "sigtest: orphans still running: " << absl::StrJoin(names, ", ") << "\n";
  }
}

}  // namespace

absl::Status Run(const RunPlan& p, std::ostream& report) {
  // Orphaned descendants are reparented to us, so we can reap them.
  absl::Status subreaper = process::BecomeSubreaper();
  if (!subreaper.ok()) return subreaper;
  // Every catchable signal comes to us through a signalfd; the command
  // starts with our mask from before that, plus --block.
  sigset_t mask;
  ::pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  for (int s : p.block) sigaddset(&mask, s);
  absl::StatusOr<signal::SignalSource> src = signal::SignalSource::Create(signal::CatchableSignals());
  if (!src.ok()) return src.status();

  process::SpawnOptions spawn;
  spawn.new_process_group = !p.foreground;
  spawn.parent_death_signal = p.pdeath_signal;
  // A terminal whose foreground group is ours goes to the command's group,
  // and comes back when it ends (SIGTTOU is blocked: we may take it back).
  io::UniqueFd tty;
  if (!p.foreground) {
    tty = io::UniqueFd(::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY));
    if (tty && ::tcgetpgrp(tty.get()) != ::getpgrp()) tty.reset();
    spawn.foreground_tty = tty.get();
  }
  spawn.reset_dispositions = false;  // What we inherited ignored stays ignored, as with timeout(1).
  spawn.default_signals = p.default_signals;
  spawn.ignore_signals = p.ignore;
  spawn.mask = mask;
  absl::Time start = absl::Now();
  absl::StatusOr<process::Child> child = process::Spawn(p.command, spawn);
  if (!child.ok()) {
    if (tty) ::tcsetpgrp(tty.get(), ::getpgrp());
    report << "sigtest run: " << child.status().message() << "\n";
    return cli::ExitWith(absl::IsNotFound(child.status()) ? kExitNotFound : kExitNotExecutable);
  }
  absl::StatusOr<Supervision> run = Supervise(p, *child, *src, start);
  if (tty) ::tcsetpgrp(tty.get(), ::getpgrp());
  if (!run.ok()) return run.status();
  ReapDescendants(p, child->pid(), run->killed, *src, report);

  const process::ExitStatus& st = run->status;
  std::string how = st.signal != 0 ? absl::StrCat("signal=", SignalName(st.signal), " core=", st.core ? "true" : "false")
                                   : absl::StrCat("exit=", st.code);
  if (run->timed_out) how = absl::StrCat("timeout=", absl::FormatDuration(p.timeout), " ", how);
  int code = RunExitCode(p, st, run->timed_out, run->killed);
  if (p.json) {
    report << json::JsonWriter()
                  .BeginObject()
                  .Key("result").String(how)
                  .Key("exit_code").Int(code)
                  .Key("seconds").Double(absl::ToDoubleSeconds(absl::Now() - start))
                  .Key("timed_out").Bool(run->timed_out)
                  .EndObject()
                  .str()
           << "\n";
  } else {
    report << "sigtest: " << how << "\n";
  }
  return cli::ExitWith(code);
}

}  // namespace ipckit::sigtest
