// End-to-end tests of nc, against itself and real peers: Debian's
// netcat-openbsd (nc.openbsd), ncat, socat and Python's socket module.
#include <openssl/sha.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <future>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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
#include "lib/testing/wait_for_file.h"

namespace ipckit::nc {
namespace {

using ::ipckit::testing::ExitStatus;
using ::ipckit::testing::StartWithStdin;
using ::ipckit::testing::IsOk;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::Runfile;
using ::ipckit::testing::StdStream;
using ::ipckit::testing::Subprocess;
using ::ipckit::testing::TempDir;
using ::ipckit::testing::TestBytes;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr absl::Duration kTimeout = absl::Seconds(20);

std::string Nc() { return *Runfile("tools/nc/nc"); }

std::string Sha256(const std::string& s) {
  uint8_t d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const uint8_t*>(s.data()), s.size(), d);
  std::string hex;
  for (uint8_t b : d) absl::StrAppend(&hex, absl::Hex(b, absl::kZeroPad2));
  return hex;
}

// PortOf returns the port at the end of "ADDR:PORT" or "... PORT".
int PortOf(const std::string& text) {
  size_t cut = text.find_last_of(": ");
  int port = 0;
  EXPECT_TRUE(absl::SimpleAtoi(text.substr(cut + 1), &port)) << text;
  return port;
}

// StartPeer starts tools/nc/testdata/peer.py in `mode` and returns it with its port.
std::pair<Subprocess, std::string> StartPeer(std::vector<std::string> args) {
  args.insert(args.begin(), {"python3", *Runfile("tools/nc/testdata/peer.py")});
  absl::StatusOr<Subprocess> p = Subprocess::Start(args);
  EXPECT_THAT(p, IsOk());
  absl::StatusOr<std::string> addr = p->WaitForListening(StdStream::kStdout, kTimeout);
  EXPECT_THAT(addr, IsOk());
  return {std::move(*p), absl::StrCat(PortOf(*addr))};
}

// StartNcListener starts our nc -l with `extra` flags on 127.0.0.1 port 0,
// and returns it with the bound port from its -v line.
std::pair<Subprocess, std::string> StartNcListener(std::vector<std::string> extra,
                                                   const char* host = "127.0.0.1") {
  std::vector<std::string> args = {Nc(), "-lv"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(host);
  args.push_back("0");
  absl::StatusOr<Subprocess> p = Subprocess::Start(args);
  EXPECT_THAT(p, IsOk());
  absl::StatusOr<std::string> addr = p->WaitForListening(StdStream::kStderr, kTimeout);
  EXPECT_THAT(addr, IsOk());
  return {std::move(*p), absl::StrCat(PortOf(*addr))};
}

// WaitBoth waits for two processes at once, so that neither blocks on a full
// output pipe while the other is being waited for.
std::pair<absl::StatusOr<ExitStatus>, absl::StatusOr<ExitStatus>> WaitBoth(Subprocess& a, Subprocess& b) {
  std::future<absl::StatusOr<ExitStatus>> fa = std::async(std::launch::async, [&] { return a.Wait(kTimeout); });
  absl::StatusOr<ExitStatus> rb = b.Wait(kTimeout);
  return {fa.get(), rb};
}

absl::StatusOr<Subprocess> Spawn(std::vector<std::string> args, const std::string& input = "",
                               bool close_stdin = true) {
  if (close_stdin) return StartWithStdin(args, input);
  absl::StatusOr<Subprocess> p = Subprocess::Start(args);
  if (p.ok()) p->Write(input);
  return p;
}

TEST(NcE2eTest, BulkFromOpenbsdNcToOurListener) {
  const std::string data = TestBytes(16 << 20);
  auto [listener, port] = StartNcListener({"-v"});
  absl::StatusOr<Subprocess> client = Spawn({"nc.openbsd", "-N", "127.0.0.1", port}, data);
  ASSERT_THAT(client, IsOk());
  auto [c, l] = WaitBoth(*client, listener);
  EXPECT_THAT(c, IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_THAT(l, IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(listener.out().size(), data.size());
  EXPECT_EQ(Sha256(listener.out()), Sha256(data));
  EXPECT_THAT(listener.err(), HasSubstr(absl::StrCat("received ", data.size(), " bytes")));
}

TEST(NcE2eTest, BulkFromOurClientToOpenbsdNcListener) {
  const std::string data = TestBytes(16 << 20);
  absl::StatusOr<Subprocess> server = Subprocess::Start({"nc.openbsd", "-lv", "127.0.0.1", "0"});
  ASSERT_THAT(server, IsOk());
  absl::StatusOr<std::string> line = server->WaitForLine(StdStream::kStderr, "Listening on", kTimeout);
  ASSERT_THAT(line, IsOk());
  absl::StatusOr<Subprocess> client =
      Spawn({Nc(), "-N", "127.0.0.1", absl::StrCat(PortOf(*line))}, data);
  ASSERT_THAT(client, IsOk());
  auto [c, s] = WaitBoth(*client, *server);
  EXPECT_THAT(c, IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_THAT(s, IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(Sha256(server->out()), Sha256(data));
}

TEST(NcE2eTest, BulkToPythonSinkAndBackFromSocat) {
  const std::string data = TestBytes(8 << 20);
  auto [sink, port] = StartPeer({"sink"});
  absl::StatusOr<Subprocess> client = Spawn({Nc(), "-N", "127.0.0.1", port}, data);
  ASSERT_THAT(client, IsOk());
  EXPECT_THAT(client->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_THAT(sink.WaitForLine(StdStream::kStdout, "got", kTimeout),
              IsOkAndHolds(absl::StrCat("got ", data.size(), " bytes sha256 ", Sha256(data))));

  // socat sends to our listener; our stdout must match byte for byte.
  auto [listener, lport] = StartNcListener({});
  absl::StatusOr<Subprocess> socat = Spawn({"socat", "-u", "-", absl::StrCat("TCP:127.0.0.1:", lport)}, data);
  ASSERT_THAT(socat, IsOk());
  auto [c, l] = WaitBoth(*socat, listener);
  EXPECT_THAT(c, IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_THAT(l, IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(Sha256(listener.out()), Sha256(data));
}

TEST(NcE2eTest, HalfCloseRequestGetsDelayedReply) {
  auto [peer, port] = StartPeer({"reply-after-eof", "--delay", "0.3", "--data", "the reply\n"});
  absl::StatusOr<Subprocess> nc = Spawn({Nc(), "-N", "127.0.0.1", port}, "request\n");
  ASSERT_THAT(nc, IsOk());
  EXPECT_THAT(nc->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(nc->out(), "the reply\n");
}

TEST(NcE2eTest, QuitIsAHardDeadlineAgainstAPeerThatHolds) {
  auto [peer, port] = StartPeer({"hold"});
  absl::Time start = absl::Now();
  absl::StatusOr<Subprocess> nc = Spawn({Nc(), "-q", "0.3", "127.0.0.1", port}, "data");
  ASSERT_THAT(nc, IsOk());
  EXPECT_THAT(nc->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(300));
}

TEST(NcE2eTest, PeerCloseEndsClientWhileStdinStaysOpen) {
  auto [peer, port] = StartPeer({"send-close", "--data", "bye\n"});
  absl::StatusOr<Subprocess> nc = Spawn({Nc(), "127.0.0.1", port}, "", /*close_stdin=*/false);
  ASSERT_THAT(nc, IsOk());
  EXPECT_THAT(nc->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(nc->out(), "bye\n");
}

TEST(NcE2eTest, PeerResetIsAnErrorNotAnEnd) {
  auto [peer, port] = StartPeer({"send-rst", "--delay", "0.2", "--data", "partial\n"});
  absl::StatusOr<Subprocess> nc = Spawn({Nc(), "127.0.0.1", port}, "", /*close_stdin=*/false);
  ASSERT_THAT(nc, IsOk());
  EXPECT_THAT(nc->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(1)));
  EXPECT_EQ(nc->out(), "partial\n");
  EXPECT_EQ(nc->err(), "nc: read net: Connection reset by peer\n");
}

TEST(NcE2eTest, DevNullStdinWorksInBothModes) {
  auto [peer, port] = StartPeer({"send-close", "--data", "x"});
  absl::StatusOr<Subprocess> nc =
      Spawn({"sh", "-c", absl::StrCat(Nc(), " 127.0.0.1 ", port, " </dev/null")});
  ASSERT_THAT(nc, IsOk());
  EXPECT_THAT(nc->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(nc->out(), "x");

  // A listener with closed stdin serves a client who sends and closes.
  absl::StatusOr<Subprocess> l = Subprocess::Start(
      {"sh", "-c", absl::StrCat(Nc(), " -lv 127.0.0.1 0 <&-")});
  ASSERT_THAT(l, IsOk());
  absl::StatusOr<std::string> addr = l->WaitForListening(StdStream::kStderr, kTimeout);
  ASSERT_THAT(addr, IsOk());
  absl::StatusOr<Subprocess> c = Spawn({"nc.openbsd", "-N", "127.0.0.1", absl::StrCat(PortOf(*addr))}, "hi");
  ASSERT_THAT(c, IsOk());
  EXPECT_THAT(c->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_THAT(l->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(l->out(), "hi");
}

TEST(NcE2eTest, RefusedConnectionExitsOneWithMessage) {
  absl::StatusOr<net::Listener> l = net::Listener::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), {});
  ASSERT_THAT(l, IsOk());
  std::string port = absl::StrCat(l->address().port());
  *l = std::move(*net::Listener::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), {}));  // Frees the port.
  absl::StatusOr<Subprocess> nc = Spawn({Nc(), "127.0.0.1", port});
  ASSERT_THAT(nc, IsOk());
  EXPECT_THAT(nc->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(1)));
  EXPECT_EQ(nc->err(), absl::StrCat("nc: connect to 127.0.0.1 port ", port, " (tcp) failed: Connection refused\n"));
}

TEST(NcE2eTest, WaitForGivesUpWithExitThreeAfterTheDeadline) {
  absl::StatusOr<net::Listener> l = net::Listener::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), {});
  ASSERT_THAT(l, IsOk());
  std::string port = absl::StrCat(l->address().port());
  *l = std::move(*net::Listener::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), {}));  // Frees the port.
  absl::Time start = absl::Now();
  absl::StatusOr<Subprocess> nc = Spawn({Nc(), "-z", "--wait-for", "400ms", "127.0.0.1", port});
  ASSERT_THAT(nc, IsOk());
  EXPECT_THAT(nc->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(3)));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(400));
  EXPECT_EQ(nc->err(),
            absl::StrCat("nc: 127.0.0.1 port ", port, " (tcp) not open after 400ms (last: Connection refused)\n"));
}

TEST(NcE2eTest, WaitForConnectsOnceTheServerComesUp) {
  absl::StatusOr<net::Listener> l = net::Listener::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), {});
  ASSERT_THAT(l, IsOk());
  net::SocketAddress where = l->address();
  *l = std::move(*net::Listener::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), {}));  // Frees the port.
  // stdin from echo, not from this test: Subprocess feeds stdin only while it waits.
  absl::StatusOr<Subprocess> nc = Spawn({"/bin/sh", "-c",
                                         absl::StrCat("echo late hello | ", Nc(), " -N --wait-for 10s 127.0.0.1 ",
                                                      where.port())});
  ASSERT_THAT(nc, IsOk());
  absl::SleepFor(absl::Milliseconds(300));  // Test pacing: the server starts late on purpose.
  absl::StatusOr<net::Listener> late = net::Listener::Listen(where, {});
  ASSERT_THAT(late, IsOk());
  absl::StatusOr<net::Socket> c = late->Accept();
  ASSERT_THAT(c, IsOk());
  EXPECT_THAT(io::ReadToEnd(c->fd()), IsOkAndHolds("late hello\n"));
  c->ShutdownWrite().IgnoreError();
  EXPECT_THAT(nc->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
}

TEST(NcE2eTest, ConnectTimeoutAgainstFullAcceptQueueExitsThree) {
  net::ListenOptions lo;
  lo.backlog = 0;
  absl::StatusOr<net::Listener> l = net::Listener::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), lo);
  ASSERT_THAT(l, IsOk());
  std::vector<net::Socket> fillers;
  net::ConnectOptions quick;
  quick.timeout = absl::Milliseconds(200);
  for (int i = 0; i < 16; ++i) {
    absl::StatusOr<net::Socket> s = net::Connect({l->address()}, quick);
    if (!s.ok()) break;
    fillers.push_back(std::move(*s));
  }
  absl::StatusOr<Subprocess> nc = Spawn({Nc(), "-w", "300ms", "127.0.0.1", absl::StrCat(l->address().port())});
  ASSERT_THAT(nc, IsOk());
  EXPECT_THAT(nc->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(3)));
  EXPECT_EQ(nc->err(), absl::StrCat("nc: connect to 127.0.0.1 port ", l->address().port(),
                                    " (tcp) timed out: Operation now in progress\n"));
}

TEST(NcE2eTest, ScanOverTwentyPorts) {
  std::vector<net::Listener> open;
  std::vector<std::string> ports;
  for (int i = 0; i < 2; ++i) {
    open.push_back(std::move(*net::Listener::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), {})));
    ports.push_back(absl::StrCat(open.back().address().port()));
  }
  for (int i = 0; i < 18; ++i) {
    absl::StatusOr<net::Listener> c = net::Listener::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), {});
    ports.push_back(absl::StrCat(c->address().port()));  // Closed when `c` goes.
  }
  absl::StatusOr<Subprocess> nc = Spawn({Nc(), "-zv", "-r", "127.0.0.1", absl::StrJoin(ports, ",")});
  ASSERT_THAT(nc, IsOk());
  EXPECT_THAT(nc->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  for (size_t i = 0; i < ports.size(); ++i) {
    EXPECT_THAT(nc->err(), HasSubstr(i < 2 ? absl::StrCat("Connection to 127.0.0.1 ", ports[i],
                                                          " port [tcp/*] succeeded!\n")
                                           : absl::StrCat("nc: connect to 127.0.0.1 port ", ports[i],
                                                          " (tcp) failed: Connection refused\n")));
  }
  // All closed: exit 1, and without -v nothing on stderr (as netcat-openbsd).
  absl::StatusOr<Subprocess> none = Spawn({Nc(), "-z", "127.0.0.1", absl::StrJoin(ports.begin() + 2, ports.end(), ",")});
  ASSERT_THAT(none, IsOk());
  EXPECT_THAT(none->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(1)));
  EXPECT_EQ(none->err(), "");
}

TEST(NcE2eTest, UdpScanReportsIcmpRefusalAsClosed) {
  net::ListenOptions udp;
  udp.type = SOCK_DGRAM;
  absl::StatusOr<net::Listener> open = net::Listener::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), udp);
  ASSERT_THAT(open, IsOk());
  std::string open_port = absl::StrCat(open->address().port());
  std::string closed_port;
  {
    absl::StatusOr<net::Listener> c = net::Listener::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), udp);
    closed_port = absl::StrCat(c->address().port());
  }
  absl::StatusOr<Subprocess> nc =
      Spawn({Nc(), "-uzv", "-w", "500ms", "127.0.0.1", absl::StrCat(open_port, ",", closed_port)});
  ASSERT_THAT(nc, IsOk());
  EXPECT_THAT(nc->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  // netcat-openbsd's words for the open port; the closed one is reported at -vv only.
  EXPECT_EQ(nc->err(), absl::StrCat("Connection to 127.0.0.1 ", open_port, " port [udp/*] succeeded!\n"));
  absl::StatusOr<Subprocess> vv =
      Spawn({Nc(), "-uzvv", "-w", "500ms", "127.0.0.1", absl::StrCat(open_port, ",", closed_port)});
  ASSERT_THAT(vv, IsOk());
  EXPECT_THAT(vv->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_THAT(vv->err(), HasSubstr(absl::StrCat("nc: connect to 127.0.0.1 port ", closed_port,
                                                " (udp) failed: Connection refused\n")));
}

TEST(NcE2eTest, UdpEchoOverIPv4AndIPv6) {
  for (bool v6 : {false, true}) {
    std::vector<std::string> peer_args = {"udp-echo"};
    if (v6) peer_args.push_back("--v6");
    auto [peer, port] = StartPeer(peer_args);
    absl::StatusOr<Subprocess> nc =
        Spawn({Nc(), "-u", "-w", "500ms", v6 ? "::1" : "127.0.0.1", port}, "ping\n");
    ASSERT_THAT(nc, IsOk());
    EXPECT_THAT(nc->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
    EXPECT_EQ(nc->out(), "ping\n") << (v6 ? "v6" : "v4");
  }
}

TEST(NcE2eTest, UdpDatagramBoundariesUpTo65507Bytes) {
  auto [peer, port] = StartPeer({"udp-echo"});
  const std::string big = TestBytes(65507);
  absl::StatusOr<Subprocess> nc = Spawn({Nc(), "-u", "-w", "500ms", "127.0.0.1", port}, big);
  ASSERT_THAT(nc, IsOk());
  EXPECT_THAT(nc->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(Sha256(nc->out()), Sha256(big));
}

TEST(NcE2eTest, UdpListenerKeepsServingThreePeers) {
  auto [listener, port] = StartNcListener({"-uk"});
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<Subprocess> c =
        Spawn({"socat", "-u", "-", absl::StrCat("UDP-SENDTO:127.0.0.1:", port)}, absl::StrCat("peer", i, "\n"));
    ASSERT_THAT(c, IsOk());
    EXPECT_THAT(c->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
    EXPECT_THAT(listener.WaitForLine(StdStream::kStdout, absl::StrCat("peer", i), kTimeout), IsOk());
  }
}

// 50 senders x 100 datagrams into one nc -k -u -l: every datagram is on
// stdout, whole (senders pace themselves; -I gives the socket room).
TEST(NcE2eTest, UdpListenerAccountsForEveryDatagram) {
  auto [listener, port] = StartNcListener({"-uk", "-I", "4M"});
  constexpr int kSenders = 50, kEach = 100;
  std::vector<std::future<absl::Status>> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.push_back(std::async(std::launch::async, [s, port = port]() -> absl::Status {
      absl::StatusOr<net::SocketAddress> to = net::SocketAddress::Numeric("127.0.0.1", std::stoi(port));
      if (!to.ok()) return to.status();
      net::ConnectOptions c;
      c.type = SOCK_DGRAM;
      absl::StatusOr<net::Socket> sock = net::Connect({*to}, c);
      if (!sock.ok()) return sock.status();
      for (int i = 0; i < kEach; ++i) {
        std::string d = absl::StrCat("s", s, "-", i, "\n");
        if (::send(sock->fd(), d.data(), d.size(), 0) != static_cast<ssize_t>(d.size())) {
          return absl::ErrnoToStatus(errno, "send");
        }
        absl::SleepFor(absl::Milliseconds(1));
      }
      return absl::OkStatus();
    }));
  }
  for (auto& f : senders) EXPECT_THAT(f.get(), IsOk());
  int seen = 0;
  EXPECT_THAT(listener.WaitForLineWhere(
                  StdStream::kStdout, [&](absl::string_view) { return ++seen == kSenders * kEach; },
                  "5000th line", kTimeout),
              IsOk());
  std::vector<std::string> lines = absl::StrSplit(listener.out(), '\n', absl::SkipEmpty());
  std::set<std::string> got(lines.begin(), lines.end());
  EXPECT_EQ(lines.size(), static_cast<size_t>(kSenders * kEach));
  for (int s = 0; s < kSenders; ++s) {
    for (int i = 0; i < kEach; ++i) EXPECT_EQ(got.count(absl::StrCat("s", s, "-", i)), 1u) << s << "-" << i;
  }
}

// nc -lk --sh-exec serves 20 clients at once, each with its own child and
// its own bytes back, EOF relayed both ways (issue: one client, ever).
TEST(NcE2eTest, ExecKeepListeningServesTwentyClientsAtOnce) {
  auto [listener, port] = StartNcListener({"-k", "--sh-exec", "cat"});
  constexpr int kClients = 20;
  std::vector<std::future<absl::StatusOr<std::string>>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::async(std::launch::async, [i, port = port]() -> absl::StatusOr<std::string> {
      absl::StatusOr<net::SocketAddress> to = net::SocketAddress::Numeric("127.0.0.1", std::stoi(port));
      if (!to.ok()) return to.status();
      absl::StatusOr<net::Socket> sock = net::Connect({*to}, {});
      if (!sock.ok()) return sock.status();
      std::string mine = TestBytes(32 << 10).substr(static_cast<size_t>(i) * 512);
      absl::Status st = io::WriteAll(sock->fd(), mine, "write");
      if (st.ok()) st = sock->ShutdownWrite();
      if (!st.ok()) return st;
      absl::StatusOr<std::string> back = io::ReadToEnd(sock->fd());
      if (!back.ok()) return back.status();
      if (*back != mine) return absl::DataLossError(absl::StrCat("client ", i, ": ", back->size(), " bytes back"));
      return *back;
    }));
  }
  for (auto& f : clients) EXPECT_THAT(f.get(), IsOk());
}

TEST(NcE2eTest, KeepListeningServesClientsOneAfterAnother) {
  auto [listener, port] = StartNcListener({"-k"});
  listener.CloseStdin();  // stdin EOF must not stop a -k listener.
  for (const char* who : {"first", "second", "third"}) {
    absl::StatusOr<Subprocess> c = Spawn({"ncat", "--send-only", "127.0.0.1", port}, absl::StrCat(who, "\n"));
    ASSERT_THAT(c, IsOk());
    EXPECT_THAT(c->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
    EXPECT_THAT(listener.WaitForLine(StdStream::kStdout, who, kTimeout), IsOkAndHolds(who));
  }
}

TEST(NcE2eTest, BrokenStdoutExitsPromptly) {
  auto [peer, port] = StartPeer({"stream"});
  absl::StatusOr<Subprocess> sh = Spawn({"bash", "-c",
      absl::StrCat(Nc(), " 127.0.0.1 ", port, " </dev/null | head -c 10 >/dev/null; echo rc=${PIPESTATUS[0]} >&2")});
  ASSERT_THAT(sh, IsOk());
  EXPECT_THAT(sh->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(sh->err(), "nc: write stdout: Broken pipe\nrc=1\n");
}

TEST(NcE2eTest, FullDiskStdoutIsAnErrorNotAHang) {
  auto [peer, port] = StartPeer({"stream"});
  absl::StatusOr<Subprocess> sh = Spawn({"bash", "-c",
      absl::StrCat(Nc(), " 127.0.0.1 ", port, " </dev/null >/dev/full; echo rc=$? >&2")});
  ASSERT_THAT(sh, IsOk());
  EXPECT_THAT(sh->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(sh->err(), "nc: write stdout: No space left on device\nrc=1\n");
}

TEST(NcE2eTest, UnixStreamWithSocatAndLivePathSafety) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  std::string path = dir->Path("nc.sock");
  absl::StatusOr<Subprocess> l = Subprocess::Start({Nc(), "-lvU", path});
  ASSERT_THAT(l, IsOk());
  ASSERT_THAT(l->WaitForListening(StdStream::kStderr, kTimeout), IsOkAndHolds(path));
  // A second listener must not steal the live path.
  absl::StatusOr<Subprocess> thief = Spawn({Nc(), "-lU", path});
  ASSERT_THAT(thief, IsOk());
  EXPECT_THAT(thief->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(1)));
  EXPECT_EQ(thief->err(), absl::StrCat("nc: listen ", path, ": a server is already listening there\n"));
  absl::StatusOr<Subprocess> c = Spawn({"socat", "-", absl::StrCat("UNIX-CONNECT:", path)}, "over unix\n");
  ASSERT_THAT(c, IsOk());
  EXPECT_THAT(c->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_THAT(l->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(l->out(), "over unix\n");
  struct stat st;
  EXPECT_NE(::lstat(path.c_str(), &st), 0) << "socket path left behind";
}

TEST(NcE2eTest, UnixDatagramAndAbstract) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  std::string path = dir->Path("d.sock");
  absl::StatusOr<Subprocess> l = Subprocess::Start({Nc(), "-luvU", path});
  ASSERT_THAT(l, IsOk());
  ASSERT_THAT(l->WaitForListening(StdStream::kStderr, kTimeout), IsOk());
  absl::StatusOr<Subprocess> c = Spawn({"socat", "-u", "-", absl::StrCat("UNIX-SENDTO:", path)}, "dgram\n");
  ASSERT_THAT(c, IsOk());
  EXPECT_THAT(c->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_THAT(l->WaitForLine(StdStream::kStdout, "dgram", kTimeout), IsOk());

  std::string name = absl::StrCat("@ipckit-nc-", ::getpid());
  absl::StatusOr<Subprocess> al = Subprocess::Start({Nc(), "-lvU", name});
  ASSERT_THAT(al, IsOk());
  ASSERT_THAT(al->WaitForListening(StdStream::kStderr, kTimeout), IsOkAndHolds(name));
  absl::StatusOr<Subprocess> ac = Spawn({Nc(), "-NU", name}, "abstract\n");
  ASSERT_THAT(ac, IsOk());
  EXPECT_THAT(ac->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_THAT(al->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(al->out(), "abstract\n");
}

// WaitForPath polls until `path` exists; false after `timeout`.
bool WaitForPath(const std::string& path, absl::Duration timeout) {
  absl::Time end = absl::Now() + timeout;
  struct stat st;
  while (::lstat(path.c_str(), &st) != 0) {
    if (absl::Now() > end) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

// A Unix datagram client binds a private path so that replies reach it
// (netcat-openbsd's recv.sock); the path is 0600 and goes when nc ends,
// also by a signal. With -s PATH it binds that path instead.
TEST(NcE2eTest, UnixDatagramClientBindsAPrivatePathAndRemovesIt) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  std::string server = dir->Path("srv.sock");
  absl::StatusOr<Subprocess> echo =
      Subprocess::Start({"socat", absl::StrCat("UNIX-RECVFROM:", server, ",fork"), "EXEC:cat"});
  ASSERT_THAT(echo, IsOk());
  ASSERT_TRUE(WaitForPath(server, kTimeout)) << echo->err();
  absl::StatusOr<Subprocess> c = Spawn({Nc(), "-uUv", "-w", "1", server}, "reply to me");
  ASSERT_THAT(c, IsOk());
  EXPECT_THAT(c->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(c->out(), "reply to me");
  ASSERT_THAT(c->err(), StartsWith("Bound on "));
  std::string mine = c->err().substr(9, c->err().find('\n') - 9);
  struct stat st;
  EXPECT_NE(::lstat(mine.c_str(), &st), 0) << mine << " left behind";

  // Ended by SIGTERM while it waits: the path and its directory go, and the
  // signal is what ends it.
  absl::StatusOr<Subprocess> held = Subprocess::Start({Nc(), "-uUv", server});
  ASSERT_THAT(held, IsOk());
  absl::StatusOr<std::string> bound = held->WaitForLine(StdStream::kStderr, "Bound on ", kTimeout);
  ASSERT_THAT(bound, IsOk());
  std::string path = bound->substr(9);
  ASSERT_EQ(::lstat(path.c_str(), &st), 0) << path;
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_THAT(held->Signal(SIGTERM), IsOk());
  EXPECT_THAT(held->Wait(kTimeout), IsOkAndHolds(ExitStatus::Signaled(SIGTERM)));
  EXPECT_NE(::lstat(path.c_str(), &st), 0) << path << " left behind";
  EXPECT_NE(::lstat(path.substr(0, path.rfind('/')).c_str(), &st), 0) << "directory left behind";

  // -s PATH names the client's path.
  std::string named = dir->Path("me.sock");
  absl::StatusOr<Subprocess> s = Spawn({Nc(), "-uU", "-w", "1", "-s", named, server}, "named");
  ASSERT_THAT(s, IsOk());
  EXPECT_THAT(s->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(s->out(), "named");
  EXPECT_NE(::lstat(named.c_str(), &st), 0) << named << " left behind";
}

TEST(NcE2eTest, SourceAddressPortAndCrlf) {
  auto [listener, port] = StartNcListener({});
  absl::StatusOr<net::Listener> tmp = net::Listener::Listen(*net::SocketAddress::Numeric("127.0.0.2", 0), {});
  std::string sport = absl::StrCat(tmp->address().port());
  *tmp = std::move(*net::Listener::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), {}));
  absl::StatusOr<Subprocess> c = Spawn({Nc(), "-C", "-N", "-s", "127.0.0.2", "-p", sport, "127.0.0.1", port}, "a\nb\n");
  ASSERT_THAT(c, IsOk());
  EXPECT_THAT(c->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_THAT(listener.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(listener.out(), "a\r\nb\r\n");
  EXPECT_THAT(listener.err(), HasSubstr(absl::StrCat("Connection received on 127.0.0.2 ", sport, "\n")));
}

TEST(NcE2eTest, ExecRelaysEofBothWaysWithoutLosingTheLastBytes) {
  auto [listener, port] = StartNcListener({"-v", "--sh-exec", "tr a-z A-Z; echo last words"});
  absl::StatusOr<Subprocess> c = Spawn({"nc.openbsd", "-N", "127.0.0.1", port}, "hello\n");
  ASSERT_THAT(c, IsOk());
  EXPECT_THAT(c->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(c->out(), "HELLO\nlast words\n");
  EXPECT_THAT(listener.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_THAT(listener.err(), HasSubstr("exited with status 0"));
}

TEST(NcE2eTest, ExecAsClient) {
  auto [peer, port] = StartPeer({"reply-after-eof", "--data", "pong"});
  absl::StatusOr<Subprocess> c = Spawn({Nc(), "--exec", "echo ping", "127.0.0.1", port});
  ASSERT_THAT(c, IsOk());
  EXPECT_THAT(c->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
}

TEST(NcE2eTest, SendOnlyAndRecvOnly) {
  auto [peer, port] = StartPeer({"send-close", "--data", "incoming"});
  absl::StatusOr<Subprocess> r = Spawn({Nc(), "--recv-only", "127.0.0.1", port}, "never sent", false);
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(r->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(r->out(), "incoming");

  auto [sink, sport] = StartPeer({"sink"});
  absl::StatusOr<Subprocess> s = Spawn({Nc(), "--send-only", "-N", "127.0.0.1", sport}, "outgoing");
  ASSERT_THAT(s, IsOk());
  EXPECT_THAT(s->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_THAT(sink.WaitForLine(StdStream::kStdout, "got", kTimeout),
              IsOkAndHolds(absl::StrCat("got 8 bytes sha256 ", Sha256("outgoing"))));
}

TEST(NcE2eTest, PortFileAndUsageErrors) {
  absl::StatusOr<TempDir> dir = TempDir::Create();
  ASSERT_THAT(dir, IsOk());
  std::string pf = dir->Path("port");
  absl::StatusOr<Subprocess> l = Subprocess::Start({Nc(), "-l", "127.0.0.1", "0", "--port-file", pf});
  ASSERT_THAT(l, IsOk());
  absl::StatusOr<std::string> port = ::ipckit::testing::WaitForFirstLine(pf, kTimeout);
  ASSERT_THAT(port, IsOk());
  absl::StatusOr<Subprocess> c = Spawn({"nc.openbsd", "-N", "127.0.0.1", *port}, "via port file");
  ASSERT_THAT(c, IsOk());
  EXPECT_THAT(c->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_THAT(l->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(l->out(), "via port file");

  absl::StatusOr<Subprocess> bad = Spawn({Nc(), "-e", "/bin/sh", "host", "1"});
  ASSERT_THAT(bad, IsOk());
  EXPECT_THAT(bad->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(2)));
  EXPECT_EQ(bad->err(),
            "nc: -e is not supported: it means 'exec' only in some netcats; use --exec CMD or "
            "--sh-exec CMD\nTry 'nc --help'.\n");
}

TEST(NcE2eTest, PassFdHandsTheConnectedSocketToStdout) {
  auto [sink, port] = StartPeer({"sink"});
  // Python receives the descriptor nc -F passes over its stdout and uses it.
  const std::string script = absl::StrCat(R"(
import array, socket, subprocess, sys
a, b = socket.socketpair()
p = subprocess.Popen([sys.argv[1], "-F", "127.0.0.1", sys.argv[2]], stdout=b)
b.close()
msg, anc, flags, addr = a.recvmsg(1, socket.CMSG_LEN(4))
fd = array.array("i", anc[0][2])[0]
s = socket.socket(fileno=fd)
s.sendall(b"over a passed fd")
s.shutdown(socket.SHUT_WR)
print("nc exited", p.wait())
)");
  absl::StatusOr<Subprocess> py = Spawn({"python3", "-c", script, Nc(), port});
  ASSERT_THAT(py, IsOk());
  EXPECT_THAT(py->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(py->out(), "nc exited 0\n");
  EXPECT_THAT(sink.WaitForLine(StdStream::kStdout, "got", kTimeout),
              IsOkAndHolds(absl::StrCat("got 16 bytes sha256 ", Sha256("over a passed fd"))));
}

TEST(NcE2eTest, FamilyAndNumericFlags) {
  auto [listener, port] = StartNcListener({}, "::1");
  // -4 turns localhost into 127.0.0.1 only, where nothing listens.
  absl::StatusOr<Subprocess> v4 = Spawn({Nc(), "-4", "localhost", port});
  ASSERT_THAT(v4, IsOk());
  EXPECT_THAT(v4->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(1)));
  EXPECT_EQ(v4->err(), absl::StrCat("nc: connect to localhost (127.0.0.1) port ", port,
                                    " (tcp) failed: Connection refused\n"));
  absl::StatusOr<Subprocess> n = Spawn({Nc(), "-n", "localhost", port});
  ASSERT_THAT(n, IsOk());
  EXPECT_THAT(n->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(1)));
  EXPECT_EQ(n->err(), absl::StrCat("nc: getaddrinfo for host \"localhost\" port ", port,
                                   ": Name or service not known\n"));
  absl::StatusOr<Subprocess> not6 = Spawn({Nc(), "-6", "127.0.0.1", port});
  ASSERT_THAT(not6, IsOk());
  EXPECT_THAT(not6->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(1)));
  EXPECT_EQ(not6->err(), absl::StrCat("nc: getaddrinfo for host \"127.0.0.1\" port ", port,
                                      ": Address family for hostname not supported\n"));
  absl::StatusOr<Subprocess> v6 = Spawn({Nc(), "-6", "-N", "::1", port}, "over v6");
  ASSERT_THAT(v6, IsOk());
  EXPECT_THAT(v6->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_THAT(listener.Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(listener.out(), "over v6");
}

TEST(NcE2eTest, NoStdinAndLineInterval) {
  auto [peer, port] = StartPeer({"send-close", "--data", "from peer"});
  absl::StatusOr<Subprocess> d = Spawn({Nc(), "-d", "127.0.0.1", port}, "never read", false);
  ASSERT_THAT(d, IsOk());
  EXPECT_THAT(d->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_EQ(d->out(), "from peer");

  auto [sink, sport] = StartPeer({"sink"});
  absl::Time start = absl::Now();
  absl::StatusOr<Subprocess> i = Spawn({Nc(), "-N", "-i", "100ms", "127.0.0.1", sport}, "1\n2\n3\n");
  ASSERT_THAT(i, IsOk());
  EXPECT_THAT(i->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(200));  // Two pauses between three lines.
  EXPECT_THAT(sink.WaitForLine(StdStream::kStdout, "got", kTimeout),
              IsOkAndHolds(absl::StrCat("got 6 bytes sha256 ", Sha256("1\n2\n3\n"))));
}

TEST(NcE2eTest, HelpDocumentsEveryOptionAndTheStateMachine) {
  absl::StatusOr<Subprocess> h = Spawn({Nc(), "--help"});
  ASSERT_THAT(h, IsOk());
  EXPECT_THAT(h->Wait(kTimeout), IsOkAndHolds(ExitStatus::Exited(0)));
  for (const char* flag : {"-4", "-6", "-C", "-d", "-F", "-I SIZE", "-i, --interval", "-k", "-l",
                           "-N", "-n", "-O SIZE", "-p, --source-port", "-q SECS", "-r",
                           "-s, --source", "-T, --tos", "-U", "-u", "-v", "-w, --wait", "-z",
                           "--send-only", "--recv-only", "--no-shutdown", "--keep-sending",
                           "--port-file", "--exec", "--sh-exec", "-4, --ipv4", "-6, --ipv6",
                           "-n, --nodns", "-x, --proxy", "--proxy-type", "--proxy-auth", "--delay",
                           "--idle-timeout", "--max-conns", "--allow", "--deny", "--output",
                           "--hex-dump", "--append-output"}) {
    EXPECT_THAT(h->out(), HasSubstr(flag)) << flag;
  }
  EXPECT_THAT(h->out(), HasSubstr("End of input and timers:"));
  EXPECT_THAT(h->out(), HasSubstr("3 connect timed out"));
  EXPECT_THAT(h->out(), HasSubstr("-q T implies -N"));
}

}  // namespace
}  // namespace ipckit::nc
