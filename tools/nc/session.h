// session.h: one nc session, a connection (or a UDP conversation) relayed
// to stdin/stdout or to an --exec child, and what sessions share: the -v
// Log and the stdio settings.
//
// Threads: a Log may be used from any thread (nc -lk --exec serves each
// client on a thread of its own); a Session and a StdioGuard from one.
#ifndef IPCKIT_TOOLS_NC_SESSION_H_
#define IPCKIT_TOOLS_NC_SESSION_H_

#include <memory>
#include <mutex>
#include <ostream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "lib/net/socket.h"
#include "lib/process/spawn.h"
#include "lib/relay/relay.h"
#include "lib/io/stream.h"
#include "tools/nc/nc.h"
#include "tools/nc/session_log.h"

namespace ipckit::nc {

// Log writes whole lines to nc's -v stream, one thread at a time (clients of
// -lk --exec are served on threads of their own).
class Log {
 public:
  Log(std::ostream& out, int verbose) : out_(out), verbose_(verbose) {}
  int verbose() const { return verbose_; }
  // Line writes `text` and a newline, and flushes.
  void Line(absl::string_view text) {
    std::lock_guard<std::mutex> lock(mu_);
    out_ << text << std::endl;
  }
  // Warn writes "nc: " and `text`, as err(3)'s warn does.
  void Warn(absl::string_view text) { Line(absl::StrCat("nc: ", text)); }
  // stream is for lib code that writes its own lines (the TLS report).
  std::ostream& stream() { return out_; }

 private:
  std::mutex mu_;
  std::ostream& out_;
  int verbose_;
};

// kStdioPipeSize is what a pipe on stdin or stdout is grown to: data
// spliced from a socket arrives in pieces smaller than a page, and a 16-slot
// default pipe then holds a few KiB, so the reader beyond it (cksum, cat)
// wakes for each. Measured: `nc -l | cksum` 785 -> 1135 MB/s (bench/nc_matrix).
constexpr int kStdioPipeSize = 1 << 20;

// StdioGuard makes stdin and stdout non-blocking for the relay (unless they
// are terminals, whose flags the shell shares) and restores them after. A
// pipe is grown to kStdioPipeSize where the system allows (fs.pipe-max-size);
// failing that it stays as it is.
class StdioGuard {
 public:
  StdioGuard();
  ~StdioGuard();
  StdioGuard(const StdioGuard&) = delete;
  StdioGuard& operator=(const StdioGuard&) = delete;

 private:
  int flags_[2];
};

// Session relays one connection (or one UDP conversation) to stdin/stdout or
// to a child, logs its bytes with --output/--hex-dump, and reports the
// transfer at -vv.
class Session {
 public:
  Session(const Plan& p, Log& log, SessionLog* session_log, bool* stdin_ended)
      : p_(p), o_(p.settings), log_(log), session_log_(session_log), stdin_ended_(stdin_ended) {}

  // Run relays `sock`, or `secure` (a TLS stream that owns its socket) when
  // given. It returns OK when the relay finished (also at -w's idle limit),
  // or the relay's error; --idle-timeout's limit is an error.
  absl::Status Run(net::Socket sock, bool datagram, bool reply_to_sender,
                   std::unique_ptr<io::Stream> secure = nullptr);

 private:
  // Policy returns the relay's EOF and timer policy for stdin/stdout.
  relay::RelayOptions Policy() const;
  // Reap ends the child with its session: a second to exit by itself on
  // its stdin's EOF, then its group gets SIGTERM (and SIGCONT), and SIGKILL
  // a second later (an idle timeout must not leave `sleep 30` running). It
  // reports how the child ended at -vv.
  void Reap(process::Child& child);

  const Plan& p_;
  const Settings& o_;
  Log& log_;
  SessionLog* session_log_;
  bool* stdin_ended_;
};

}  // namespace ipckit::nc

#endif  // IPCKIT_TOOLS_NC_SESSION_H_
