// Subprocess runs a program for an end-to-end test: it starts it with
// lib/process on three pipes, feeds its stdin, collects its stdout and
// stderr, waits for a readiness line with a deadline, and on teardown kills
// its whole process group and reaps it. Every wait has a deadline; nothing
// sleeps for a fixed time.
//
// The child runs in a new process group with all signals at their default
// dispositions and none blocked, whatever the test process has set.
// Creating a Subprocess makes the test process ignore SIGPIPE, so a child
// that stops reading its stdin early causes a dropped write, not a crash.
//
// Example:
//
//   absl::StatusOr<Subprocess> server = Subprocess::Start({echod, "-l", "127.0.0.1:0"});
//   ASSERT_THAT(server, IsOk());
//   absl::StatusOr<std::string> addr = server->WaitForListening(StdStream::kStdout, absl::Seconds(5));
//   ASSERT_THAT(addr, IsOk());  // "127.0.0.1:40123"
//   ...
//   EXPECT_THAT(server->Stop(absl::Seconds(5)), IsOkAndHolds(ExitStatus::Exited(0)));
#ifndef IPCKIT_LIB_TESTING_SUBPROCESS_H_
#define IPCKIT_LIB_TESTING_SUBPROCESS_H_

#include <sys/types.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/io/unique_fd.h"
#include "lib/process/exit_status.h"
#include "lib/process/spawn.h"

namespace ipckit::testing {

// StdStream names one of the child's output streams.
enum class StdStream { kStdout, kStderr };

// ExitStatus is how a child ended (lib/process), named here for the tests.
using ExitStatus = process::ExitStatus;

class Subprocess {
 public:
  struct Options {
    // Extra "KEY=VALUE" entries, added to (or replacing in) the test's environment.
    std::vector<std::string> env;
    // Working directory for the child; empty means the test's own.
    std::string cwd;
  };

  // Start runs argv[0] (searched in $PATH when it has no '/') with `argv`, or
  // returns the error: "exec nosuchtool: No such file or directory".
  static absl::StatusOr<Subprocess> Start(const std::vector<std::string>& argv,
                                          const Options& options);
  static absl::StatusOr<Subprocess> Start(const std::vector<std::string>& argv) {
    return Start(argv, Options());
  }

  Subprocess(Subprocess&&) noexcept;
  Subprocess& operator=(Subprocess&&) noexcept;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  // ~Subprocess kills the child's process group with SIGKILL, if the child is
  // still running, and reaps the child.
  ~Subprocess();

  pid_t pid() const { return child_.pid(); }

  // Write queues `data` for the child's stdin. It is written while any of the
  // waiting calls below run, as fast as the child reads it.
  void Write(absl::string_view data);

  // CloseStdin closes the child's stdin once all queued data is written.
  void CloseStdin();

  // WaitForLine returns the next complete line (without its '\n') on `stream`
  // that contains `substring`, skipping earlier lines, or kDeadlineExceeded
  // if none comes within `timeout`, or kNotFound if the stream ends first.
  // Both errors quote the child's output so far.
  absl::StatusOr<std::string> WaitForLine(StdStream stream, absl::string_view substring,
                                          absl::Duration timeout);

  // WaitForLineWhere is WaitForLine for the first line `matches` accepts;
  // `what` names such a line in the errors ("line containing 'x'").
  absl::StatusOr<std::string> WaitForLineWhere(StdStream stream,
                                               const std::function<bool(absl::string_view)>& matches,
                                               absl::string_view what, absl::Duration timeout);

  // WaitForListening waits (as WaitForLine) for a line that announces an
  // address (lib/net/listening_line.h: "... listening on ADDR", or
  // netcat-openbsd's "Listening on HOST PORT" / "Bound on HOST PORT") and
  // returns it as "127.0.0.1:40123", "[::1]:40123", "localhost:40123" or a
  // socket path.
  absl::StatusOr<std::string> WaitForListening(StdStream stream, absl::Duration timeout);

  // Wait waits until the child has exited and both of its output streams have
  // ended, and returns how it ended; or kDeadlineExceeded after `timeout`,
  // leaving the child running.
  absl::StatusOr<ExitStatus> Wait(absl::Duration timeout);

  // Signal sends `sig` to the child (not its group), or returns the kill(2) error.
  absl::Status Signal(int sig);

  // Stop sends SIGTERM, waits up to `grace` for the child to exit, then kills
  // its process group with SIGKILL, and returns how the child ended.
  absl::StatusOr<ExitStatus> Stop(absl::Duration grace);

  // Output collected so far.
  const std::string& out() const { return out_.data; }
  const std::string& err() const { return err_.data; }

 private:
  struct Output {
    io::UniqueFd fd;
    std::string data;
    size_t cursor = 0;  // WaitForLine has consumed data[0, cursor).
  };

  Subprocess() = default;
  // Pump moves data between the pipes until `done` returns true or `deadline`
  // passes; it returns whether `done` returned true.
  template <typename Done>
  bool Pump(absl::Time deadline, Done done);
  bool PumpOnce(absl::Time deadline);
  bool exited() const { return child_.status().has_value(); }
  std::string Describe() const;
  void KillGroupAndReap();

  process::Child child_;
  io::UniqueFd stdin_;
  std::string pending_stdin_;
  bool close_stdin_ = false;
  Output out_;
  Output err_;
};

// StartWithStdin starts `argv` (as Subprocess::Start) with `input` as its
// whole stdin, closed after it: how a test runs a command like `cmd < file`.
absl::StatusOr<Subprocess> StartWithStdin(const std::vector<std::string>& argv, absl::string_view input = "");

// Server is a running program and the addresses its listening lines
// announced, in order.
struct Server {
  Subprocess process;
  std::vector<std::string> addresses;
};

// StartServer starts `argv` and waits up to `timeout` (in all) for
// `listeners` listening lines on its stdout (Subprocess::WaitForListening);
// it returns Start's error, or the first wait's ("no line 'listening on ADDR'
// ... on stdout within 20s; pid ... --- stdout --- ...").
absl::StatusOr<Server> StartServer(const std::vector<std::string>& argv, size_t listeners, absl::Duration timeout);

}  // namespace ipckit::testing

#endif  // IPCKIT_LIB_TESTING_SUBPROCESS_H_
