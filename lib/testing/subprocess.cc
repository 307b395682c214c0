#include "lib/testing/subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/io/fd.h"
#include "lib/io/wait.h"
#include "lib/net/listening_line.h"
#include "lib/process/spawn.h"

extern char** environ;

namespace ipckit::testing {
namespace {

// Tail returns the last `n` bytes of `s`, for error messages.
absl::string_view Tail(absl::string_view s, size_t n = 2000) {
  return s.size() <= n ? s : s.substr(s.size() - n);
}

// MergeEnv returns the current environment with `extra` entries added,
// replacing any entry with the same name.
std::vector<std::string> MergeEnv(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    absl::string_view entry(*e);
    absl::string_view name = entry.substr(0, entry.find('=') + 1);
    bool replaced = std::any_of(extra.begin(), extra.end(), [&](const std::string& x) {
      return absl::StartsWith(x, name);
    });
    if (!replaced) env.emplace_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

// ReadAvailable appends what `fd` has to `out` without blocking; it returns
// false at end of file or on an error.
bool ReadAvailable(int fd, std::string* out) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n > 0) {
      out->append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    return false;
  }
}

}  // namespace

absl::StatusOr<Subprocess> Subprocess::Start(const std::vector<std::string>& argv,
                                             const Options& options) {
  ::signal(SIGPIPE, SIG_IGN);

  absl::StatusOr<io::Pipe> in = io::MakePipe(O_CLOEXEC);
  if (!in.ok()) return in.status();
  absl::StatusOr<io::Pipe> out = io::MakePipe(O_CLOEXEC);
  if (!out.ok()) return out.status();
  absl::StatusOr<io::Pipe> err = io::MakePipe(O_CLOEXEC);
  if (!err.ok()) return err.status();

  process::SpawnOptions spawn;
  spawn.fds = {{0, in->read.get()}, {1, out->write.get()}, {2, err->write.get()}};
  spawn.new_process_group = true;
  spawn.env = MergeEnv(options.env);
  spawn.cwd = options.cwd;
  absl::StatusOr<process::Child> child = process::Spawn(argv, spawn);
  if (!child.ok()) return child.status();

  Subprocess p;
  p.child_ = *std::move(child);
  p.stdin_ = std::move(in->write);
  p.out_.fd = std::move(out->read);
  p.err_.fd = std::move(err->read);
  for (int fd : {p.stdin_.get(), p.out_.fd.get(), p.err_.fd.get()}) {
    absl::Status s = io::SetNonBlocking(fd, true);
    if (!s.ok()) return s;
  }
  return p;
}

Subprocess::Subprocess(Subprocess&& other) noexcept { *this = std::move(other); }

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    KillGroupAndReap();
    child_ = std::move(other.child_);
    stdin_ = std::move(other.stdin_);
    pending_stdin_ = std::move(other.pending_stdin_);
    close_stdin_ = other.close_stdin_;
    out_ = std::move(other.out_);
    err_ = std::move(other.err_);
  }
  return *this;
}

Subprocess::~Subprocess() { KillGroupAndReap(); }

void Subprocess::KillGroupAndReap() {
  if (child_.pid() <= 0) return;
  // The group may outlive the child (a daemon it started): kill it either way.
  (void)child_.SignalGroup(SIGKILL);
  (void)child_.Wait();
  child_ = process::Child();
}

void Subprocess::Write(absl::string_view data) { pending_stdin_.append(data.data(), data.size()); }

void Subprocess::CloseStdin() { close_stdin_ = true; }

bool Subprocess::PumpOnce(absl::Time deadline) {
  if (stdin_ && close_stdin_ && pending_stdin_.empty()) stdin_.reset();
  struct pollfd fds[4];
  int n = 0;
  int in_i = -1, out_i = -1, err_i = -1, pid_i = -1;
  if (stdin_ && !pending_stdin_.empty()) {
    in_i = n;
    fds[n++] = {stdin_.get(), POLLOUT, 0};
  }
  if (out_.fd) {
    out_i = n;
    fds[n++] = {out_.fd.get(), POLLIN, 0};
  }
  if (err_.fd) {
    err_i = n;
    fds[n++] = {err_.fd.get(), POLLIN, 0};
  }
  if (!exited() && child_.pidfd() >= 0) {
    pid_i = n;
    fds[n++] = {child_.pidfd(), POLLIN, 0};
  }
  absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return false;
  int timeout_ms = io::PollTimeoutMs(deadline);
  // Without a pidfd, the child's exit is noticed by polling waitpid.
  if (!exited() && child_.pidfd() < 0) timeout_ms = std::min(timeout_ms, 10);
  int rc = ::poll(fds, static_cast<nfds_t>(n), n == 0 ? std::min(timeout_ms, 10) : timeout_ms);
  if (rc < 0) return errno == EINTR;
  if (in_i >= 0 && fds[in_i].revents != 0) {
    ssize_t w = ::write(stdin_.get(), pending_stdin_.data(), pending_stdin_.size());
    if (w > 0) {
      pending_stdin_.erase(0, static_cast<size_t>(w));
    } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
      pending_stdin_.clear();  // EPIPE: the child closed its stdin.
      stdin_.reset();
    }
  }
  if (out_i >= 0 && fds[out_i].revents != 0 && !ReadAvailable(out_.fd.get(), &out_.data)) {
    out_.fd.reset();
  }
  if (err_i >= 0 && fds[err_i].revents != 0 && !ReadAvailable(err_.fd.get(), &err_.data)) {
    err_.fd.reset();
  }
  if (pid_i >= 0 && fds[pid_i].revents != 0) (void)child_.Wait();
  if (child_.pidfd() < 0) child_.Poll();
  return true;
}

template <typename Done>
bool Subprocess::Pump(absl::Time deadline, Done done) {
  for (;;) {
    if (done()) return true;
    if (absl::Now() >= deadline) return false;
    PumpOnce(deadline);
  }
}

std::string Subprocess::Describe() const {
  return absl::StrCat("pid ", child_.pid(), exited() ? absl::StrCat(" (", child_.status()->ToString(), ")") : "",
                      "\n--- stdout ---\n", Tail(out_.data), "\n--- stderr ---\n", Tail(err_.data));
}

absl::StatusOr<std::string> Subprocess::WaitForLineWhere(
    StdStream stream, const std::function<bool(absl::string_view)>& matches, absl::string_view what,
    absl::Duration timeout) {
  Output& o = stream == StdStream::kStdout ? out_ : err_;
  const char* name = stream == StdStream::kStdout ? "stdout" : "stderr";
  std::optional<std::string> found;
  // match consumes complete lines (and, once the stream has ended, a last
  // line without '\n') until one contains `substring`.
  auto match = [&] {
    while (!found && o.cursor < o.data.size()) {
      size_t nl = o.data.find('\n', o.cursor);
      if (nl == std::string::npos && o.fd) break;
      size_t end = nl == std::string::npos ? o.data.size() : nl;
      absl::string_view line(o.data.data() + o.cursor, end - o.cursor);
      o.cursor = nl == std::string::npos ? end : nl + 1;
      if (matches(line)) found = std::string(line);
    }
    return found.has_value();
  };
  bool ended = Pump(absl::Now() + timeout, [&] { return match() || !o.fd; });
  if (match()) return *found;
  if (ended) {
    return absl::NotFoundError(absl::StrCat(name, " ended without a ", what, "; ", Describe()));
  }
  return absl::DeadlineExceededError(absl::StrCat("no ", what, " on ", name,
                                                  " within ", absl::FormatDuration(timeout), "; ",
                                                  Describe()));
}

absl::StatusOr<std::string> Subprocess::WaitForLine(StdStream stream, absl::string_view substring,
                                                    absl::Duration timeout) {
  return WaitForLineWhere(
      stream, [&](absl::string_view line) { return absl::StrContains(line, substring); },
      absl::StrCat("line containing '", substring, "'"), timeout);
}

absl::StatusOr<std::string> Subprocess::WaitForListening(StdStream stream, absl::Duration timeout) {
  std::string addr;
  absl::StatusOr<std::string> line = WaitForLineWhere(
      stream, [&](absl::string_view l) { return !(addr = net::ListeningAddress(l)).empty(); },
      "line 'listening on ADDR', 'Listening on HOST PORT' or 'Bound on HOST PORT'", timeout);
  if (!line.ok()) return line.status();
  return addr;
}

absl::StatusOr<ExitStatus> Subprocess::Wait(absl::Duration timeout) {
  if (child_.pid() <= 0) return absl::FailedPreconditionError("wait: no child");
  bool ok = Pump(absl::Now() + timeout, [&] { return exited() && !out_.fd && !err_.fd; });
  if (!ok) {
    return absl::DeadlineExceededError(absl::StrCat("child still running (or its output still open) after ",
                                                    absl::FormatDuration(timeout), "; ",
                                                    Describe()));
  }
  return *child_.status();
}

absl::Status Subprocess::Signal(int sig) {
  if (child_.pid() <= 0 || exited()) return absl::FailedPreconditionError("kill: child has exited");
  return child_.Signal(sig);
}

absl::StatusOr<ExitStatus> Subprocess::Stop(absl::Duration grace) {
  if (child_.pid() <= 0) return absl::FailedPreconditionError("stop: no child");
  if (!exited()) (void)child_.Signal(SIGTERM);
  Pump(absl::Now() + grace, [&] { return exited(); });
  (void)child_.SignalGroup(SIGKILL);  // The child if it ignored SIGTERM, and anything left in its group.
  (void)child_.Wait();
  // Collect output already written; descendants holding the pipes were killed.
  Pump(absl::Now() + absl::Seconds(1), [&] { return !out_.fd && !err_.fd; });
  return *child_.status();
}

absl::StatusOr<Subprocess> StartWithStdin(const std::vector<std::string>& argv, absl::string_view input) {
  absl::StatusOr<Subprocess> p = Subprocess::Start(argv);
  if (!p.ok()) return p;
  p->Write(input);
  p->CloseStdin();
  return p;
}

absl::StatusOr<Server> StartServer(const std::vector<std::string>& argv, size_t listeners, absl::Duration timeout) {
  absl::StatusOr<Subprocess> p = Subprocess::Start(argv);
  if (!p.ok()) return p.status();
  Server s{*std::move(p), {}};
  absl::Time deadline = absl::Now() + timeout;
  for (size_t i = 0; i < listeners; ++i) {
    absl::StatusOr<std::string> a = s.process.WaitForListening(StdStream::kStdout, deadline - absl::Now());
    if (!a.ok()) return a.status();
    s.addresses.push_back(*std::move(a));
  }
  return s;
}

}  // namespace ipckit::testing
