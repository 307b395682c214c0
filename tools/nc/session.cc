#include "tools/nc/session.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>

#include "absl/strings/str_format.h"
#include "lib/io/fd.h"
#include "lib/io/unique_fd.h"
#include "lib/process/exit_status.h"
#include "lib/relay/datagram_stream.h"

namespace ipckit::nc {
namespace {

using net::Socket;

// ExecChild is a process started for --exec/--sh-exec, with pipes to its
// stdin and from its stdout; its stderr is ours.
struct ExecChild {
  process::Child process;
  io::UniqueFd to_child;    // Its stdin.
  io::UniqueFd from_child;  // Its stdout.
};

// SpawnChild starts `argv` as fork and exec would from nc: the signals we
// ignore stay ignored, apart from SIGPIPE (ours, not the child's).
absl::StatusOr<ExecChild> SpawnChild(const std::vector<std::string>& argv) {
  absl::StatusOr<io::Pipe> in = io::MakePipe(O_CLOEXEC);
  if (!in.ok()) return in.status();
  absl::StatusOr<io::Pipe> out = io::MakePipe(O_CLOEXEC);
  if (!out.ok()) return out.status();
  process::SpawnOptions o;
  o.fds = {{0, in->read.get()}, {1, out->write.get()}};
  o.reset_dispositions = false;
  o.default_signals = {SIGPIPE};
  // Its own group, ended as one with its session (Reap), and SIGTERM should
  // nc die first.
  o.new_process_group = true;
  o.parent_death_signal = SIGTERM;
  absl::StatusOr<process::Child> child = process::Spawn(argv, o);
  if (!child.ok()) return child.status();
  ExecChild c{*std::move(child), std::move(in->write), std::move(out->read)};
  for (int fd : {c.to_child.get(), c.from_child.get()}) {
    absl::Status s = io::SetNonBlocking(fd, true);
    if (!s.ok()) return s;
  }
  return c;
}

}  // namespace

StdioGuard::StdioGuard() {
  for (int fd : {0, 1}) {
    flags_[fd] = ::fcntl(fd, F_GETFL);
    if (flags_[fd] >= 0 && !::isatty(fd)) io::SetNonBlocking(fd, true).IgnoreError();
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && ::fcntl(fd, F_GETPIPE_SZ) < kStdioPipeSize) {
      ::fcntl(fd, F_SETPIPE_SZ, kStdioPipeSize);
    }
  }
}

StdioGuard::~StdioGuard() {
  for (int fd : {0, 1}) {
    if (flags_[fd] >= 0) ::fcntl(fd, F_SETFL, flags_[fd]);
  }
}

absl::Status Session::Run(Socket sock, bool datagram, bool reply_to_sender, std::unique_ptr<io::Stream> secure) {
  absl::Status s;
  std::unique_ptr<io::Stream> net;
  if (secure) {
    net = std::move(secure);
  } else if (s = io::SetNonBlocking(sock.fd(), true); !s.ok()) {
    return s;
  } else if (datagram) {
    net = std::make_unique<relay::DatagramStream>(sock.fd(), "net", reply_to_sender);
  } else {
    net = std::make_unique<io::FdStream>(sock.fd(), "net", io::FdStream::Kind::kSocket);
  }
  std::unique_ptr<io::Stream> logged;
  if (session_log_ != nullptr) logged = std::make_unique<LoggedStream>(net.get(), session_log_);
  io::Stream* wire = logged ? logged.get() : net.get();

  relay::RelayOptions r = Policy();
  std::unique_ptr<io::FdStream> in, out;
  std::optional<ExecChild> child;
  if (!p_.exec_argv.empty()) {
    absl::StatusOr<ExecChild> c = SpawnChild(p_.exec_argv);
    if (!c.ok()) return c.status();
    child = std::move(*c);
    in = std::make_unique<io::FdStream>(std::move(child->from_child), "child stdout");
    out = std::make_unique<io::FdStream>(std::move(child->to_child), "child stdin");
    // The child's output ending is the end: send it all, then EOF. The
    // client's EOF closes the child's stdin, also with -k.
    r.read_local = true;
    r.read_net = true;
    r.shutdown_net_on_local_eof = true;
    r.keep_sending_after_net_eof = true;
    r.close_local_output_on_net_eof = true;
    r.quit_after_local_eof = absl::ZeroDuration();
  } else {
    in = std::make_unique<io::FdStream>(STDIN_FILENO, "stdin");
    out = std::make_unique<io::FdStream>(STDOUT_FILENO, "stdout");
  }
  relay::RelayStats stats;
  absl::Time start = absl::Now();
  s = relay::Relay({in.get(), out.get()}, {wire, wire}, r, &stats);
  absl::Duration took = absl::Now() - start;
  if (!child.has_value() && stats.local_input_ended) *stdin_ended_ = true;
  if (absl::IsDeadlineExceeded(s)) {
    if (o_.idle_timeout) {
      s = absl::AbortedError(absl::StrCat("idle timeout expired (",
                                          absl::FormatDuration(*o_.idle_timeout), ")"));
    } else {
      // -w after a connection is an idle limit: reaching it ends the session normally.
      if (log_.verbose() > 1) log_.Warn(absl::StrCat(s.message(), ", closing"));
      s = absl::OkStatus();
    }
  }
  if (child.has_value()) {
    in.reset();
    out.reset();
    Reap(child->process);
  }
  if (log_.verbose() > 1) {
    double secs = absl::ToDoubleSeconds(took);
    double rate = secs > 0 ? static_cast<double>(stats.sent + stats.received) / secs / 1e6 : 0;
    log_.Warn(absl::StrFormat("sent %d bytes, received %d bytes in %.3fs (%.1f MB/s)%s",
                              stats.sent, stats.received, secs, rate,
                              stats.spliced ? ", zero-copy" : ""));
  }
  return s;
}

relay::RelayOptions Session::Policy() const {
  const std::optional<absl::Duration>& quit = p_.quit_after;
  relay::RelayOptions r;
  r.read_local = !o_.no_stdin && !o_.recv_only && !*stdin_ended_;
  r.read_net = !o_.send_only;
  // Debian: "Specifying a non-negative seconds [to -q] implies -N."
  r.shutdown_net_on_local_eof = (o_.shutdown_on_eof || quit.has_value()) && !o_.no_shutdown;
  r.quit_after_local_eof = quit;
  r.keep_sending_after_net_eof = o_.keep_sending;
  r.close_local_output_on_net_eof = !o_.keep_listening;  // stdout serves the next client too.
  if (o_.timeout) r.idle_timeout = *o_.timeout;
  if (o_.idle_timeout) r.idle_timeout = *o_.idle_timeout;
  r.crlf = o_.crlf;
  r.line_interval = o_.interval;
  return r;
}

void Session::Reap(process::Child& child) {
  process::ExitStatus status = child.Stop(absl::Seconds(1), /*own_exit=*/absl::Seconds(1));
  if (log_.verbose() > 1) log_.Warn(absl::StrCat("child ", child.pid(), " ", status.Describe()));
}

}  // namespace ipckit::nc
