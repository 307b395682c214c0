#include "tools/with_server/server.h"

#include <fcntl.h>
#include <signal.h>

#include "absl/algorithm/container.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/io/fd.h"
#include "lib/io/unique_fd.h"
#include "lib/net/listening_line.h"
#include "tools/with_server/readiness.h"

extern char** environ;

namespace ipckit::with_server {
namespace {

// kLogConfirm is how long after a --ready-log line with a TCP address
// with_server tries to connect to it before taking the line's word: a
// server may print the line just before it listens (mosquitto does), and
// one that serves UDP alone never accepts a connect.
constexpr absl::Duration kLogConfirm = absl::Seconds(1);

// OwnedEnvironment returns our environment with WITH_SERVER_OWNER=`owner`
// (adopted.h), which the process and all it starts inherit.
std::vector<std::string> OwnedEnvironment(const std::string& owner) {
  std::vector<std::string> env;
  std::string prefix = absl::StrCat(kOwnerVariable, "=");
  for (char** e = environ; *e != nullptr; ++e) {
    if (!absl::StartsWith(*e, prefix)) env.push_back(*e);
  }
  env.push_back(prefix + owner);
  return env;
}

// CompleteLines returns the lines of `text` that end in a newline.
std::vector<absl::string_view> CompleteLines(const std::string& text) {
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  lines.pop_back();
  return lines;
}

// LooksLikeAddress says whether what a readiness line names can be
// connected to: HOST:PORT or [V6]:PORT with a numeric port, or a socket path
// (with a '/' or '.', or @abstract). "listening on port 8080" names "port".
bool LooksLikeAddress(const std::string& a) {
  if (a.empty()) return false;
  if (a[0] == '/' || a[0] == '@') return true;
  size_t colon = a.rfind(':');
  if (colon != std::string::npos) {
    return colon + 1 < a.size() && absl::c_all_of(a.substr(colon + 1), [](char c) { return absl::ascii_isdigit(c); });
  }
  return a.find_first_of("/.") != std::string::npos;
}

// LogFound returns the address a --ready-log match gives (its group: a
// port, or an address or path as it is; no group: {port}'s address, or
// none), or nullopt before a line matches.
std::optional<std::vector<std::string>> LogFound(const Running& r) {
  std::string text = ReadFile(r.log);  // Outlives the views into it.
  for (absl::string_view l : CompleteLines(text)) {
    std::optional<std::string> m = r.spec.log_pattern->Match(l);
    if (!m.has_value()) continue;
    if (!m->empty()) {
      bool port = absl::c_all_of(*m, [](char c) { return absl::ascii_isdigit(c); });
      return std::vector<std::string>{port ? PortFileAddresses(*m, BindHostOf(r.argv))[0] : *m};
    }
    if (r.spec.uses_port) return std::vector<std::string>{absl::StrCat("127.0.0.1:", r.port)};
    return std::vector<std::string>{};
  }
  return std::nullopt;
}

// CleanStop says whether a server's end after our SIGTERM is a clean one:
// exit 0, death by that SIGTERM, or 143 (128+SIGTERM, from a shell or a JVM).
bool CleanStop(const process::ExitStatus& s) {
  return s.Success() || s.signal == SIGTERM || (s.signal == 0 && s.code == 128 + SIGTERM);
}

}  // namespace

std::string Tail(const std::string& path, size_t lines) {
  std::string all = ReadFile(path);
  std::vector<absl::string_view> v = absl::StrSplit(all, '\n');
  if (!v.empty() && v.back().empty()) v.pop_back();
  if (v.size() > lines) v.erase(v.begin(), v.end() - static_cast<std::ptrdiff_t>(lines));
  std::string out;
  for (absl::string_view l : v) absl::StrAppend(&out, "  | ", l, "\n");
  return out;
}

// Ended says how a server ended: "exited with status 1", "was killed by signal 9".
std::string Ended(const process::ExitStatus& s) { return s.signal != 0 ? "was " + s.Describe() : s.Describe(); }

// ProgramOf returns the program an adopted process runs, from its command
// line ("nginx: master process ..." is nginx), else `started` (what
// with_server ran: /bin/sh for an sh: server).
std::string ProgramOf(const Adopted& a, const std::string& started) {
  std::string first = a.command.substr(0, a.command.find(' '));
  if (!first.empty() && first.back() == ':') first.pop_back();
  return first.empty() ? started : first;
}

// Start starts server `owner` in a process group of its own, with no stdin,
// its output to `log_fd` and SIGTERM should with_server die (SIGKILL
// included); with `activation`, that socket is its fd 3 and LISTEN_FDS=1,
// LISTEN_PID its own PID (set by a /bin/sh that execs it).
absl::StatusOr<process::Child> Start(const std::vector<std::string>& argv, const std::string& owner, int log_fd,
                                     int activation) {
  process::SpawnOptions o;
  o.fds = {{0, process::SpawnOptions::kDevNull}, {1, log_fd}, {2, log_fd}};
  o.new_process_group = true;
  o.parent_death_signal = SIGTERM;
  o.env = OwnedEnvironment(owner);
  if (activation < 0) return process::Spawn(argv, o);
  o.fds.push_back({3, activation});
  std::vector<std::string> wrapped = {"/bin/sh", "-c", "LISTEN_PID=$$ LISTEN_FDS=1 exec \"$@\"", "sh"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return process::Spawn(wrapped, o);
}

// Reap notes a server that has exited, without blocking.
bool Reap(Running& r) { return r.child.Poll().has_value(); }

// ReadFile returns a file's contents, or "" when it cannot be read (yet).
std::string ReadFile(const std::string& path) {
  return io::ReadFile(path).value_or("");
}

// LinesFound returns the addresses of the "listening on" lines in a log;
// an address repeated on consecutive lines (netcat-openbsd's "Bound on
// PATH", "Listening on PATH") counts once. A line that names no address
// (LooksLikeAddress) is passed over, and the last such line goes to
// *passed_over when given, for the timeout message.
std::vector<std::string> LinesFound(const std::string& log, std::string* passed_over) {
  std::vector<std::string> found;
  std::string previous;
  std::string text = ReadFile(log);  // Outlives the views into it.
  for (absl::string_view l : CompleteLines(text)) {
    std::string a = net::ListeningAddress(l);
    if (!a.empty() && !LooksLikeAddress(a)) {
      if (passed_over != nullptr) *passed_over = std::string(absl::StripAsciiWhitespace(l));
      continue;
    }
    if (!a.empty() && a != previous) found.push_back(a);
    previous = a;
  }
  return found;
}

// Check reads what a server has reported so far and marks it ready once its
// readiness kind is satisfied (a --ready-log line's TCP address once a
// connect to it succeeds, or kLogConfirm after the line); then, with
// --ready-http, probes (every 50ms).
void Check(Running& r, absl::Time deadline) {
  if (!r.ready) {
    std::vector<std::string> found;
    switch (r.spec.ready) {
      case Ready::kActivation: found = {r.activation->address().ToString()}; break;
      case Ready::kLog: {
        std::optional<std::vector<std::string>> f = LogFound(r);
        if (!f.has_value()) return;
        bool tcp = !f->empty() && (*f)[0][0] != '/' && (*f)[0][0] != '@' && absl::StrContains((*f)[0], ':');
        if (r.log_matched == absl::InfiniteFuture()) r.log_matched = absl::Now();
        if (tcp && absl::Now() < r.log_matched + kLogConfirm && !TcpConnects((*f)[0])) return;  // Not yet.
        r.addrs = *f;
        r.ready = true;
        break;
      }
      case Ready::kPortFile: found = PortFileAddresses(ReadFile(r.port_file), BindHostOf(r.argv)); break;
      case Ready::kPort: {
        std::string a = absl::StrCat("127.0.0.1:", r.port);
        if (TcpConnects(a)) found = {a};
        break;
      }
      case Ready::kLines: found = LinesFound(r.log); break;
    }
    if (!r.ready && found.size() >= static_cast<size_t>(r.spec.listeners)) {
      found.resize(static_cast<size_t>(r.spec.listeners));
      r.addrs = found;
      r.ready = true;
    }
    if (!r.ready) return;
    r.http_ok = r.spec.http_path.empty();
  }
  if (r.http_ok || absl::Now() < r.next_probe) return;
  if (r.addrs.empty()) {
    r.http_error = "--ready-http needs an address (a --ready-log group, {port}, or listening lines)";
    return;
  }
  absl::Status s = HttpGet(r.addrs[0], r.spec.http_path, std::min(deadline, absl::Now() + absl::Seconds(1)));
  r.http_ok = s.ok();
  r.http_error = std::string(s.message());
  r.next_probe = absl::Now() + absl::Milliseconds(50);
}

// StopOne stops a server as a group (process::Child::Stop: SIGTERM, SIGCONT
// for the stopped, SIGKILL after `grace`); it returns why the stop was unclean
// ("exited with status 1 after SIGTERM", "did not stop within 5s of
// SIGTERM: killed"), or "" for a clean one. A server that had already
// exited (allowed by --may-exit) is clean.
std::string StopOne(Running& r, absl::Duration grace) {
  if (Reap(r)) {
    (void)r.child.SignalGroup(SIGKILL);  // Whatever the server left running in its group goes too.
    return "";
  }
  // lib/process's stop: SIGTERM to the group (SIGCONT to the stopped), SIGKILL after the grace.
  process::ExitStatus st = r.child.Stop(grace);
  if (st.signal == SIGKILL) return absl::StrCat("did not stop within ", absl::FormatDuration(grace), " of SIGTERM: killed");
  if (!CleanStop(st)) return absl::StrCat(Ended(st), " after SIGTERM");
  return "";
}

}  // namespace ipckit::with_server
