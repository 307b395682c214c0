// End-to-end tests of echobench against echod (and a corrupting Python peer).
#include <signal.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/net/address.h"
#include "lib/net/socket.h"
#include "lib/testing/runfiles.h"
#include "lib/testing/status_matchers.h"
#include "lib/testing/subprocess.h"
#include "lib/testing/temp_dir.h"

namespace ipckit::echobench {
namespace {

using ::ipckit::testing::ExitStatus;
using ::ipckit::testing::Server;
using ::ipckit::testing::StartServer;
using ::ipckit::testing::IsOk;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::Runfile;
using ::ipckit::testing::StdStream;
using ::ipckit::testing::Subprocess;
using ::ipckit::testing::TempDir;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;

constexpr absl::Duration kTimeout = absl::Seconds(30);

// Echod starts echod with `args` and reads its `n` addresses.
Server Echod(std::vector<std::string> args, size_t n = 1) {
  args.insert(args.begin(), {*Runfile("tools/echod/echod"), "--workers=1"});
  absl::StatusOr<Server> s = StartServer(args, n, kTimeout);
  EXPECT_THAT(s, IsOk());
  // A stand-in with empty addresses, so the test fails on the check above and
  // not on a crash.
  if (!s.ok()) return Server{*Subprocess::Start({"true"}), std::vector<std::string>(n)};
  return *std::move(s);
}

Subprocess Bench(std::vector<std::string> args) {
  args.insert(args.begin(), {*Runfile("tools/echobench/echobench"), "--duration=300ms"});
  absl::StatusOr<Subprocess> p = Subprocess::Start(args);
  EXPECT_THAT(p, IsOk());
  return std::move(*p);
}

TEST(EchobenchE2eTest, CleanRunsOverEveryTransport) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  Server s = Echod({"-l", "127.0.0.1:0", "-u", "[::1]:0", "-U", dir->Path("e.sock")}, 3);
  std::vector<std::vector<std::string>> runs = {
      {"-c", "20", "-m", "100", "--depth", "4", s.addresses[0]},
      {"-c", "2", "-m", "70000", s.addresses[0]},  // Messages bigger than any buffer.
      {"-u", "-c", "4", "-m", "1200", s.addresses[1]},
      {"-U", "-c", "3", s.addresses[2]},
      {"--rate", "2000", "-c", "5", s.addresses[0]},
      {"--connect-only", s.addresses[0]},
  };
  for (const auto& args : runs) {
    Subprocess b = Bench(args);
    EXPECT_THAT(b.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0))) << b.out() << b.err();
    EXPECT_THAT(b.out(), ContainsRegex("(requests|connects): [1-9][0-9]* \\(")) << b.out();
    EXPECT_THAT(b.out(), HasSubstr("errors: connect 0, verify 0, lost 0"));
  }
}

TEST(EchobenchE2eTest, JsonReport) {
  Server s = Echod({"-l", "127.0.0.1:0"});
  Subprocess b = Bench({"--json", "-c", "2", s.addresses[0]});
  EXPECT_THAT(b.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_THAT(b.out(), ContainsRegex("^\\{\"target\":\"127\\.0\\.0\\.1:[0-9]+\",\"transport\":\"tcp\","
                                     "\"connections\":2,\"message\":64,\"depth\":1,"));
  EXPECT_THAT(b.out(), HasSubstr("\"connect_errors\":0,\"verify_errors\":0,\"lost\":0,\"tls\":false,\"mode\":\"requests\"}"));
}

TEST(EchobenchE2eTest, DetectsATruncatingServer) {
  Server s = Echod({"-l", "127.0.0.1:0", "--close-after=1000"});
  Subprocess b = Bench({"-c", "1", s.addresses[0]});
  EXPECT_THAT(b.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(1)));
  EXPECT_THAT(b.out(), HasSubstr("errors: connect 0, verify 1, lost 0"));
  EXPECT_THAT(b.out(), HasSubstr("first error: connection 0: closed by the server after 1000 of "));
}

TEST(EchobenchE2eTest, DetectsACorruptingServer) {
  const std::string script = R"(
import socket, threading
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print("listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
def serve(c):
    n = 0
    while True:
        b = bytearray(c.recv(65536))
        if not b: break
        if n < 500 <= n + len(b): b[500 - n] ^= 1  # Flip one bit of byte 500.
        n += len(b)
        c.sendall(b)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
)";
  absl::StatusOr<Subprocess> py = Subprocess::Start({"python3", "-c", script});
  ASSERT_THAT(py, IsOk());
  absl::StatusOr<std::string> addr = py->WaitForListening(StdStream::kStdout, kTimeout);
  ASSERT_THAT(addr, IsOk());
  Subprocess b = Bench({"-c", "1", *addr});
  EXPECT_THAT(b.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(1)));
  EXPECT_THAT(b.out(), HasSubstr("first error: connection 0: corrupted echo within bytes "));
}

TEST(EchobenchE2eTest, CountsLostDatagrams) {
  Server s = Echod({"-u", "127.0.0.1:0", "--drop-rate=1"});
  Subprocess b = Bench({"-u", "-c", "1", "--timeout=50ms", s.addresses[0]});
  EXPECT_THAT(b.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(1)));
  EXPECT_THAT(b.out(), ContainsRegex("errors: connect 0, verify 0, lost [1-9]"));
}

TEST(EchobenchE2eTest, ConnectErrorsAreCounted) {
  Server s = Echod({"-l", "127.0.0.1:0"});
  std::string addr = s.addresses[0];
  ASSERT_THAT(s.process.Signal(SIGTERM), IsOk());
  ASSERT_THAT(s.process.Wait(kTimeout), IsOk());
  Subprocess b = Bench({"-c", "3", addr});
  EXPECT_THAT(b.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(1)));
  EXPECT_THAT(b.out(), HasSubstr("errors: connect 3, verify 0, lost 0"));
}

TEST(EchobenchE2eTest, TlsAgainstEchodVerifiedAndHandshakesPerSecond) {
  std::string certs = *Runfile("testdata/tls");
  Server s = Echod({"-l", "tls:127.0.0.1:0", "--cert", certs + "/server.pem", "--key", certs + "/server.key",
                    "--json"});
  std::vector<std::vector<std::string>> runs = {
      {"--tls", "--ca-file", certs + "/ca.pem", "--servername", "localhost", "-c", "8", "-m", "1K", s.addresses[0]},
      {"--tls", "--ca-file", certs + "/ca.pem", "-c", "2", "-m", "70000", s.addresses[0]},  // IP SAN.
      {"--tls", "--insecure", "--connect-only", s.addresses[0]},  // -c 10 in flight.
      {"--tls", "--insecure", "--connect-only", "-c", "1", s.addresses[0]},  // One at a time.
  };
  for (const auto& args : runs) {
    Subprocess b = Bench(args);
    EXPECT_THAT(b.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0))) << b.out() << b.err();
    EXPECT_THAT(b.out(), ContainsRegex("^echobench: tcp\\+tls ")) << b.out();
    EXPECT_THAT(b.out(), ContainsRegex("(requests|handshakes): [1-9][0-9]* \\(")) << b.out();
    EXPECT_THAT(b.out(), HasSubstr("errors: connect 0, verify 0, lost 0"));
  }
  // Without the test CA the system bundle does not know the server.
  Subprocess b = Bench({"--tls", "-c", "2", s.addresses[0]});
  EXPECT_THAT(b.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(1)));
  EXPECT_THAT(b.out(), HasSubstr("errors: connect 2, verify 0, lost 0"));
  EXPECT_THAT(b.out(), HasSubstr("first error: handshake net: certificate verify failed: "
                                 "unable to get local issuer certificate"));
  ASSERT_THAT(s.process.Signal(SIGTERM), IsOk());
  ASSERT_THAT(s.process.Wait(kTimeout), IsOk());
  EXPECT_THAT(s.process.err(), ContainsRegex("\"handshakes\":[1-9][0-9]*,\"handshake_failures\":2}"));
}

TEST(EchobenchE2eTest, ConcurrentHandshakesTimeOutAgainstASilentServer) {
  // A listener that never accepts: TCP connects (the kernel's backlog), TLS
  // never answers, and each of the 4 handshakes in flight times out.
  absl::StatusOr<net::Listener> l = net::Listener::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), {});
  ASSERT_THAT(l, IsOk());
  Subprocess b = Bench({"--tls", "--insecure", "--connect-only", "-c", "4", "--timeout=100ms", "--warmup=0s",
                        "--duration=500ms", l->address().ToString()});
  EXPECT_THAT(b.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(1)));
  EXPECT_THAT(b.out(), ContainsRegex("handshakes: 0 \\("));
  EXPECT_THAT(b.out(), ContainsRegex("errors: connect ([4-9]|[1-9][0-9]+), verify 0, lost 0"));
  EXPECT_THAT(b.out(), HasSubstr("first error: handshake: timed out"));
}

TEST(EchobenchE2eTest, UsageErrors) {
  Subprocess b = Bench({"-u", "--depth=2", "127.0.0.1:7"});
  EXPECT_THAT(b.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(2)));
  EXPECT_EQ(b.err(), "echobench: --depth must be 1 with -u\nTry 'echobench --help'.\n");
  Subprocess none = Bench({});
  EXPECT_THAT(none.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(2)));
  EXPECT_EQ(none.err(), "echobench: missing target address\nTry 'echobench --help'.\n");
  Subprocess insecure = Bench({"--insecure", "127.0.0.1:7"});
  EXPECT_THAT(insecure.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(2)));
  EXPECT_EQ(insecure.err(), "echobench: --insecure, --ca-file and --servername need --tls\nTry 'echobench --help'.\n");
}

}  // namespace
}  // namespace ipckit::echobench
