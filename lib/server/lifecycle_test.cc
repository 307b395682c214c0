#include "lib/server/lifecycle.h"

#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <memory>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "lib/io/fd.h"
#include "lib/net/listening_line.h"
#include "lib/net/socket.h"
#include "lib/testing/status_matchers.h"
#include "lib/testing/temp_dir.h"

namespace ipckit::server {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::StatusIs;

TEST(LifecycleTest, AnnounceWritesLinesPortFileAndReadyFdInOrder) {
  absl::StatusOr<testing::TempDir> d = testing::TempDir::Create();
  ASSERT_THAT(d, IsOk());
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  Readiness r;
  r.lines = {net::FormatListeningLine("127.0.0.1:4000", "tcp"), net::FormatListeningLine("/tmp/e.sock", "unix+tls")};
  r.port_file = d->Path("ports");
  r.ports = {"4000", "/tmp/e.sock"};
  r.ready_fd = p[1];
  std::ostringstream out;
  ASSERT_THAT(Announce(r, out), IsOk());
  EXPECT_EQ(out.str(), "listening on 127.0.0.1:4000 (tcp)\nlistening on /tmp/e.sock (unix+tls)\n");
  EXPECT_EQ(net::ListeningAddress(r.lines[1]), "/tmp/e.sock");  // lib/net reads back what it writes.
  std::ifstream f(d->Path("ports"));
  std::stringstream ports;
  ports << f.rdbuf();
  EXPECT_EQ(ports.str(), "4000\n/tmp/e.sock\n");
  EXPECT_THAT(io::ReadToEnd(p[0]), IsOkAndHolds("1"));  // Closed after "1": EOF.
  ::close(p[0]);
  r = Readiness();
  r.ready_fd = 1000;  // Not open.
  EXPECT_THAT(Announce(r, out), StatusIs(absl::StatusCode::kFailedPrecondition, "--ready-fd 1000: Bad file descriptor"));
}

TEST(LifecycleTest, WaitForStopCallsUsr1UntilTerm) {
  absl::StatusOr<signal::SignalSource> sigs = TakeSignals();
  ASSERT_THAT(sigs, IsOk());
  int usr1 = 0;
  std::thread sender([] {
    ::kill(::getpid(), SIGUSR1);
    absl::SleepFor(absl::Milliseconds(20));
    ::kill(::getpid(), SIGTERM);
  });
  EXPECT_THAT(WaitForStop(*sigs, [&] { ++usr1; }), IsOk());
  sender.join();
  EXPECT_EQ(usr1, 1);
}

TEST(LifecycleTest, WaitForStopServesControlClientsAndAStuckOneHoldsUpNothing) {
  absl::StatusOr<signal::SignalSource> sigs = TakeSignals();
  ASSERT_THAT(sigs, IsOk());
  absl::StatusOr<testing::TempDir> d = testing::TempDir::Create();
  ASSERT_THAT(d, IsOk());
  ControlSocket::Handler answer = [](absl::string_view line) {
    return line == "stats" ? std::string(10000, 's') : "hi " + std::string(line);
  };
  absl::StatusOr<std::unique_ptr<ControlSocket>> control =
      ControlSocket::Listen(d->Path("ctl.sock"), ControlSocket::Lines(answer));
  ASSERT_THAT(control, IsOk());
  std::string answered_to;
  std::thread clients([&] {
    net::ConnectOptions o;
    o.timeout = absl::Seconds(5);
    absl::StatusOr<net::Socket> stuck = net::Connect({*net::SocketAddress::Unix(d->Path("ctl.sock"))}, o);
    absl::StatusOr<net::Socket> asker = net::Connect({*net::SocketAddress::Unix(d->Path("ctl.sock"))}, o);
    if (!stuck.ok() || !asker.ok()) return ::kill(::getpid(), SIGTERM), void();
    std::string flood;
    for (int i = 0; i < 100; ++i) flood += "stats\n";
    (void)io::WriteAll(stuck->fd(), flood, "write");  // Answers of 1 MiB it never reads.
    (void)io::WriteAll(asker->fd(), "hello\n", "write");
    char buf[64];
    absl::StatusOr<size_t> n = io::ReadOnce(asker->fd(), absl::MakeSpan(buf), "read");
    if (n.ok()) answered_to.assign(buf, *n);
    ::kill(::getpid(), SIGUSR1);
    absl::SleepFor(absl::Milliseconds(20));
    ::kill(::getpid(), SIGTERM);
  });
  int usr1 = 0;
  EXPECT_THAT(WaitForStop(*sigs, [&] { ++usr1; }, {control->get()}), IsOk());
  clients.join();
  EXPECT_EQ(answered_to, "hi hello\n");
  EXPECT_EQ(usr1, 1);
}

TEST(LifecycleTest, StopListeningRefusesNewClientsAndKeepsTheFd) {
  absl::StatusOr<net::Listener> l = net::Listener::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), {});
  ASSERT_THAT(l, IsOk());
  StopListening({l->fd()});
  net::ConnectOptions o;
  o.timeout = absl::Seconds(5);
  EXPECT_THAT(net::Connect({l->address()}, o), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_LT(::accept(l->fd(), nullptr, nullptr), 0);
  EXPECT_EQ(errno, EINVAL);
}

}  // namespace
}  // namespace ipckit::server
