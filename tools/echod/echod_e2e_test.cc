// End-to-end tests of echod through lib/testing, with real clients
// (nc.openbsd, ncat, socat, Python) as well as our own sockets.
#include <fcntl.h>
#include <openssl/sha.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/io/fd.h"
#include "lib/net/socket.h"
#include "lib/testing/runfiles.h"
#include "lib/testing/status_matchers.h"
#include "lib/testing/subprocess.h"
#include "lib/testing/temp_dir.h"
#include "lib/testing/test_bytes.h"

namespace ipckit::echod {
namespace {

using ::ipckit::testing::ExitStatus;
using ::ipckit::testing::Server;
using ::ipckit::testing::StartServer;
using ::ipckit::testing::StartWithStdin;
using ::ipckit::testing::IsOk;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::Runfile;
using ::ipckit::testing::StdStream;
using ::ipckit::testing::Subprocess;
using ::ipckit::testing::TempDir;
using ::ipckit::testing::TestBytes;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;
using net::Socket;
using net::SocketAddress;

constexpr absl::Duration kTimeout = absl::Seconds(20);

std::string Echod() { return *Runfile("tools/echod/echod"); }

// StartEchod starts echod with `args` and reads its `listeners` addresses.
Server StartEchod(std::vector<std::string> args, size_t listeners = 1) {
  args.insert(args.begin(), Echod());
  absl::StatusOr<Server> s = StartServer(args, listeners, kTimeout);
  EXPECT_THAT(s, IsOk());
  // A stand-in with empty addresses, so the test fails on the check above and
  // not on a crash.
  if (!s.ok()) return Server{*Subprocess::Start({"true"}), std::vector<std::string>(listeners)};
  return *std::move(s);
}

SocketAddress Addr(const std::string& text) {
  if (!text.empty() && (text[0] == '/' || text[0] == '@')) return *SocketAddress::Unix(text);
  absl::StatusOr<net::HostPort> hp = net::SplitHostPort(text);
  return *SocketAddress::Numeric(hp->host, static_cast<uint16_t>(std::stoi(hp->port)));
}

Socket Dial(const std::string& addr, int type = SOCK_STREAM) {
  net::ConnectOptions o;
  o.type = type;
  o.timeout = absl::Seconds(5);
  absl::StatusOr<Socket> s = net::Connect({Addr(addr)}, o);
  EXPECT_THAT(s, IsOk()) << addr;
  return s.ok() ? std::move(*s) : Socket();
}

// RoundTrip sends `data` on a new stream connection, half-closes, and
// returns everything echoed until EOF.
std::string RoundTrip(const std::string& addr, const std::string& data) {
  Socket s = Dial(addr);
  std::string got;
  std::thread reader([&] { got = io::ReadToEnd(s.fd()).value_or("<error>"); });
  EXPECT_THAT(io::WriteAll(s.fd(), data), IsOk());
  EXPECT_THAT(s.ShutdownWrite(), IsOk());
  reader.join();
  return got;
}

std::string Port(const std::string& addr) { return addr.substr(addr.rfind(':') + 1); }

int ReadableWithin(int fd, absl::Duration d) {
  struct pollfd p = {fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(d)));
}

TEST(EchodE2eTest, EveryTransport) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  std::string abstract = absl::StrCat("@echod-test-", ::getpid());
  Server s = StartEchod({"--workers=2", "-l", "127.0.0.1:0", "-l", "[::1]:0", "-u", "127.0.0.1:0",
                         "-U", dir->Path("s.sock"), "--unix-dgram", dir->Path("d.sock"), "-U",
                         abstract},
                        6);
  EXPECT_THAT(s.addresses[0], MatchesRegex("127\\.0\\.0\\.1:[1-9][0-9]*"));
  EXPECT_THAT(s.addresses[1], MatchesRegex("\\[::1\\]:[1-9][0-9]*"));
  EXPECT_EQ(RoundTrip(s.addresses[0], "tcp4"), "tcp4");
  EXPECT_EQ(RoundTrip(s.addresses[1], "tcp6"), "tcp6");
  // Listeners print in the order -l, -u, -U, --unix-dgram.
  EXPECT_EQ(s.addresses[4], abstract);
  EXPECT_EQ(RoundTrip(s.addresses[3], "unix"), "unix");
  EXPECT_EQ(RoundTrip(s.addresses[4], "abstract"), "abstract");

  Socket u = Dial(s.addresses[2], SOCK_DGRAM);
  ASSERT_THAT(io::WriteAll(u.fd(), "udp"), IsOk());
  char buf[100];
  ASSERT_EQ(ReadableWithin(u.fd(), kTimeout), 1);
  EXPECT_EQ(::recv(u.fd(), buf, sizeof(buf), 0), 3);

  // A Unix datagram client must bind a name to get a reply.
  absl::StatusOr<Socket> d = Socket::Create(AF_UNIX, SOCK_DGRAM);
  ASSERT_THAT(d, IsOk());
  ASSERT_THAT(d->Bind(*SocketAddress::Unix(dir->Path("client.sock"))), IsOk());
  SocketAddress server = *SocketAddress::Unix(s.addresses[5]);
  ASSERT_EQ(::sendto(d->fd(), "dgram", 5, 0, server.get(), server.size()), 5);
  ASSERT_EQ(ReadableWithin(d->fd(), kTimeout), 1);
  EXPECT_EQ(::recv(d->fd(), buf, sizeof(buf), 0), 5);

  ASSERT_THAT(s.process.Signal(SIGTERM), IsOk());
  EXPECT_THAT(s.process.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  struct stat st;
  EXPECT_NE(::lstat(dir->Path("s.sock").c_str(), &st), 0) << "socket path left behind";
}

TEST(EchodE2eTest, RealClients) {
  Server s = StartEchod({"-l", "127.0.0.1:0", "--workers=1"});
  std::string port = Port(s.addresses[0]);
  struct Client {
    std::vector<std::string> argv;
  } clients[] = {
      {{"nc.openbsd", "-N", "127.0.0.1", port}},
      {{"ncat", "127.0.0.1", port}},
      {{"socat", "-", absl::StrCat("TCP:127.0.0.1:", port)}},
  };
  for (const Client& c : clients) {
    absl::StatusOr<Subprocess> p = StartWithStdin(c.argv, "line one\nline two\n");
    ASSERT_THAT(p, IsOk());
    EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0))) << c.argv[0];
    EXPECT_EQ(p->out(), "line one\nline two\n") << c.argv[0];
  }
}

TEST(EchodE2eTest, HalfCloseGetsDataThenEof) {
  Server s = StartEchod({"-l", "127.0.0.1:0"});
  absl::StatusOr<Subprocess> p =
      Subprocess::Start({"sh", "-c", absl::StrCat("printf x | nc.openbsd -N 127.0.0.1 ", Port(s.addresses[0]))});
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(p->out(), "x");
}

TEST(EchodE2eTest, HundredConcurrentClientsGetTheirOwnBytes) {
  Server s = StartEchod({"-l", "[::1]:0", "--workers=2"});
  std::vector<Socket> socks;
  std::vector<std::string> sent;
  for (int i = 0; i < 100; ++i) {
    socks.push_back(Dial(s.addresses[0]));
    sent.push_back(TestBytes(16 * 1024, static_cast<uint64_t>(i)));
  }
  for (int i = 0; i < 100; ++i) {
    ASSERT_THAT(io::WriteAll(socks[i].fd(), sent[i]), IsOk());
    ASSERT_THAT(socks[i].ShutdownWrite(), IsOk());
  }
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<std::string> got = io::ReadToEnd(socks[i].fd());
    ASSERT_THAT(got, IsOk());
    EXPECT_TRUE(*got == sent[i]) << "client " << i;
  }
}

// DuplexStream streams `total` bytes both ways at once through echod started
// with `flags` and checks the SHA-256 of what comes back.
void DuplexStream(std::vector<std::string> flags, size_t stream_bytes) {
  flags.insert(flags.end(), {"-l", "127.0.0.1:0", "--workers=1"});
  Server s = StartEchod(flags);
  Socket c = Dial(s.addresses[0]);
  const size_t kTotal = stream_bytes;
  const std::string chunk = TestBytes(1 << 20, 7);
  std::thread writer([&] {
    for (size_t done = 0; done < kTotal; done += chunk.size()) {
      ASSERT_THAT(io::WriteAll(c.fd(), chunk), IsOk());
    }
    ASSERT_THAT(c.ShutdownWrite(), IsOk());
  });
  SHA256_CTX want, got;
  SHA256_Init(&want);
  SHA256_Init(&got);
  for (size_t done = 0; done < kTotal; done += chunk.size()) SHA256_Update(&want, chunk.data(), chunk.size());
  std::string buf(1 << 20, '\0');
  size_t total = 0;
  for (;;) {
    absl::StatusOr<size_t> n = io::ReadOnce(c.fd(), absl::MakeSpan(&buf[0], buf.size()));
    ASSERT_THAT(n, IsOk());
    if (*n == 0) break;
    SHA256_Update(&got, buf.data(), *n);
    total += *n;
  }
  writer.join();
  uint8_t a[32], b[32];
  SHA256_Final(a, &want);
  SHA256_Final(b, &got);
  EXPECT_EQ(total, kTotal);
  EXPECT_EQ(std::string(a, a + 32), std::string(b, b + 32));
}

TEST(EchodE2eTest, FullDuplexStream256MiB) { DuplexStream({}, 256u << 20); }  // Copies.

TEST(EchodE2eTest, FullDuplexStreamSpliced) { DuplexStream({"--splice", "--buffer=256K"}, 64u << 20); }

int64_t RssKiB(pid_t pid) {
  std::ifstream f(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

TEST(EchodE2eTest, SlowReaderDoesNotGrowMemory) {
  Server s = StartEchod({"-l", "127.0.0.1:0", "--workers=1"});
  Socket c = Dial(s.addresses[0]);
  int64_t before = RssKiB(s.process.pid());
  ASSERT_THAT(io::SetNonBlocking(c.fd(), true), IsOk());
  std::string chunk(256 * 1024, 'z');
  size_t pushed = 0;
  absl::Time deadline = absl::Now() + absl::Seconds(2);
  while (absl::Now() < deadline) {  // Push without ever reading the echo.
    absl::StatusOr<size_t> n = io::WriteOnce(c.fd(), chunk);
    if (n.ok()) {
      pushed += *n;
    } else {
      struct pollfd p = {c.fd(), POLLOUT, 0};
      ::poll(&p, 1, 20);
    }
  }
  int64_t after = RssKiB(s.process.pid());
  // Kernel socket buffers plus at most one kept buffer (64 KiB) in echod.
  EXPECT_LT(pushed, 32u << 20) << pushed;
  EXPECT_LT(after - before, 4 * 1024) << before << " KiB -> " << after << " KiB";
}

TEST(EchodE2eTest, MaxConnsClosesTheExcessCleanly) {
  Server s = StartEchod({"-l", "127.0.0.1:0", "--max-conns=1", "--workers=1"});
  Socket first = Dial(s.addresses[0]);
  ASSERT_THAT(io::WriteAll(first.fd(), "a"), IsOk());
  char c;
  ASSERT_THAT(io::ReadFull(first.fd(), absl::MakeSpan(&c, 1)), IsOkAndHolds(1));  // Now surely active.
  Socket second = Dial(s.addresses[0]);
  EXPECT_THAT(io::ReadToEnd(second.fd()), IsOkAndHolds(""));  // EOF, not a reset.
  ASSERT_THAT(s.process.Signal(SIGUSR1), IsOk());
  EXPECT_THAT(s.process.WaitForLine(StdStream::kStderr, "stats:", kTimeout),
              IsOkAndHolds(HasSubstr("accepted=2 active=1 rejected=1")));
}

TEST(EchodE2eTest, IdleTimeoutClosesIdleConnections) {
  Server s = StartEchod({"-l", "127.0.0.1:0", "--idle-timeout=200ms", "--workers=1"});
  Socket c = Dial(s.addresses[0]);
  absl::Time start = absl::Now();
  EXPECT_THAT(io::ReadToEnd(c.fd()), IsOkAndHolds(""));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(200));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST(EchodE2eTest, SigtermDrainsAndExitsZeroWithStats) {
  Server s = StartEchod({"-l", "127.0.0.1:0", "--drain-timeout=300ms", "--json", "--workers=1"});
  Socket idle = Dial(s.addresses[0]);
  EXPECT_EQ(RoundTrip(s.addresses[0], "12345"), "12345");
  ASSERT_THAT(s.process.Signal(SIGTERM), IsOk());
  absl::Time start = absl::Now();
  EXPECT_THAT(s.process.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_THAT(s.process.err(), HasSubstr("{\"accepted\":2,\"active\":0,\"rejected\":0,\"bytes_in\":5,\"bytes_out\":5"));
  EXPECT_THAT(io::ReadToEnd(idle.fd()), IsOkAndHolds(""));  // Closed at the drain deadline.
}

TEST(EchodE2eTest, PortFileAndReadyFd) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  std::string fifo = dir->Path("ready");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string pf = dir->Path("ports");
  absl::StatusOr<Subprocess> p = Subprocess::Start(
      {"sh", "-c", absl::StrCat("exec ", Echod(), " -l 127.0.0.1:0 -u 127.0.0.1:0 --port-file ", pf,
                                " --ready-fd 3 3>", fifo)});
  ASSERT_THAT(p, IsOk());
  io::UniqueFd ready(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  ASSERT_TRUE(ready);
  ASSERT_EQ(ReadableWithin(ready.get(), kTimeout), 1);
  char byte;
  EXPECT_EQ(::read(ready.get(), &byte, 1), 1);
  std::ifstream f(pf);  // Written before the ready byte.
  std::string tcp, udp;
  std::getline(f, tcp);
  std::getline(f, udp);
  EXPECT_EQ(RoundTrip(absl::StrCat("127.0.0.1:", tcp), "via port file"), "via port file");
  EXPECT_THAT(p->WaitForListening(StdStream::kStdout, kTimeout), IsOkAndHolds(absl::StrCat("127.0.0.1:", tcp)));
}

TEST(EchodE2eTest, SocketActivation) {
  const std::string script = R"(
import os, socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
fd = s.detach()
if fd != 3:
    os.dup2(fd, 3); os.close(fd)
os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"; os.environ["LISTEN_PID"] = str(os.getpid())
os.execv(sys.argv[1], [sys.argv[1], "--workers=1"])
)";
  absl::StatusOr<Subprocess> p = Subprocess::Start({"python3", "-c", script, Echod()});
  ASSERT_THAT(p, IsOk());
  absl::StatusOr<std::string> addr = p->WaitForListening(StdStream::kStdout, kTimeout);
  ASSERT_THAT(addr, IsOk());
  EXPECT_EQ(RoundTrip(*addr, "activated"), "activated");
}

TEST(EchodE2eTest, UdpPreservesSizesUpTo65507) {
  Server s = StartEchod({"-u", "127.0.0.1:0"});
  Socket u = Dial(s.addresses[0], SOCK_DGRAM);
  std::vector<char> buf(70000);
  for (size_t size : {0u, 1u, 1472u, 9000u, 65507u}) {
    std::string d = TestBytes(size, size);
    ASSERT_EQ(::send(u.fd(), d.data(), d.size(), 0), static_cast<ssize_t>(size));
    ASSERT_EQ(ReadableWithin(u.fd(), kTimeout), 1);
    ssize_t n = ::recv(u.fd(), buf.data(), buf.size(), 0);
    ASSERT_EQ(n, static_cast<ssize_t>(size));
    EXPECT_TRUE(std::string(buf.data(), size) == d);
  }
}

TEST(EchodE2eTest, UdpOnWildcardRepliesFromTheAddressUsed) {
  Server s = StartEchod({"-u", ":0"});  // Dual-stack wildcard.
  std::string port = Port(s.addresses[0]);
  for (const char* dst : {"127.0.0.1", "127.0.0.2", "::1"}) {
    SocketAddress to = *SocketAddress::Numeric(dst, static_cast<uint16_t>(std::stoi(port)));
    // Unconnected, so a reply from another source address would still arrive; check its source.
    absl::StatusOr<Socket> u = Socket::Create(to.family(), SOCK_DGRAM);
    ASSERT_THAT(u, IsOk());
    ASSERT_EQ(::sendto(u->fd(), "hi", 2, 0, to.get(), to.size()), 2);
    ASSERT_EQ(ReadableWithin(u->fd(), kTimeout), 1);
    SocketAddress from;
    socklen_t len = SocketAddress::capacity();
    char buf[8];
    ASSERT_EQ(::recvfrom(u->fd(), buf, sizeof(buf), 0, from.mutable_get(), &len), 2);
    from.set_size(len);
    EXPECT_EQ(from.Host(), dst);
  }
}

TEST(EchodE2eTest, FaultDelay) {
  Server s = StartEchod({"-l", "127.0.0.1:0", "--delay=200ms"});
  absl::Time start = absl::Now();
  EXPECT_EQ(RoundTrip(s.addresses[0], "slow"), "slow");
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(200));
}

TEST(EchodE2eTest, FaultChunkKeepsBytesIntact) {
  Server s = StartEchod({"-l", "127.0.0.1:0", "--chunk=3"});
  std::string data = TestBytes(100000, 3);
  EXPECT_TRUE(RoundTrip(s.addresses[0], data) == data);
}

TEST(EchodE2eTest, FaultCloseAfter) {
  Server s = StartEchod({"-l", "127.0.0.1:0", "--close-after=5"});
  Socket c = Dial(s.addresses[0]);
  ASSERT_THAT(io::WriteAll(c.fd(), "0123456789"), IsOk());
  EXPECT_THAT(io::ReadToEnd(c.fd()), IsOkAndHolds("01234"));
}

TEST(EchodE2eTest, FaultRst) {
  Server s = StartEchod({"-l", "127.0.0.1:0", "--close-after=5", "--rst"});
  Socket c = Dial(s.addresses[0]);
  ASSERT_THAT(io::WriteAll(c.fd(), "0123456789"), IsOk());
  absl::StatusOr<std::string> got = io::ReadToEnd(c.fd());
  EXPECT_THAT(got, ::ipckit::testing::StatusIs(absl::StatusCode::kAborted,
                                               "read: Connection reset by peer"));
}

TEST(EchodE2eTest, FaultDropRate) {
  Server s = StartEchod({"-u", "127.0.0.1:0", "--drop-rate=1"});
  Socket u = Dial(s.addresses[0], SOCK_DGRAM);
  ASSERT_THAT(io::WriteAll(u.fd(), "lost"), IsOk());
  EXPECT_EQ(ReadableWithin(u.fd(), absl::Milliseconds(300)), 0);
  ASSERT_THAT(s.process.Signal(SIGUSR1), IsOk());
  EXPECT_THAT(s.process.WaitForLine(StdStream::kStderr, "stats:", kTimeout), IsOkAndHolds(HasSubstr("dropped=1")));
}

TEST(EchodE2eTest, SmallServices) {
  Server discard = StartEchod({"-l", "127.0.0.1:0", "--service=discard"});
  EXPECT_EQ(RoundTrip(discard.addresses[0], "gone"), "");

  Server daytime = StartEchod({"-l", "127.0.0.1:0", "--service=daytime"});
  Socket d = Dial(daytime.addresses[0]);
  absl::StatusOr<std::string> line = io::ReadToEnd(d.fd());
  ASSERT_THAT(line, IsOk());
  EXPECT_THAT(*line, MatchesRegex("[A-Z][a-z]+day, [A-Z][a-z]+ [0-9]+, [0-9]{4} [0-9:]{8}-UTC\r\n"));

  Server chargen = StartEchod({"-l", "127.0.0.1:0", "--service=chargen"});
  Socket c = Dial(chargen.addresses[0]);
  char buf[148];
  ASSERT_THAT(io::ReadFull(c.fd(), absl::MakeSpan(buf)), IsOkAndHolds(148));
  EXPECT_EQ(std::string(buf, 74), "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\r\n");
  EXPECT_EQ(std::string(buf + 74, 74), "\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghi\r\n");
}

TEST(EchodE2eTest, UsageErrors) {
  absl::StatusOr<Subprocess> p = Subprocess::Start({Echod()});
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(2)));
  EXPECT_EQ(p->err(), "echod: no listeners: give -l, -u, -U or --unix-dgram (or LISTEN_FDS)\nTry 'echod --help'.\n");
  p = Subprocess::Start({Echod(), "-l", "nonsense"});
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(2)));
  EXPECT_EQ(p->err(), "echod: invalid listener 'nonsense': expected HOST:PORT or [IPV6]:PORT\nTry 'echod --help'.\n");
}

}  // namespace
}  // namespace ipckit::echod
