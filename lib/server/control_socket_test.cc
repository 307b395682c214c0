#include "lib/server/control_socket.h"

#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"

#include "gtest/gtest.h"
#include "lib/io/fd.h"
#include "lib/net/socket.h"
#include "lib/testing/status_matchers.h"
#include "lib/testing/temp_dir.h"

namespace ipckit::server {
namespace {

using ::ipckit::testing::IsOk;

// Served is a control socket on its own selector, answering "echo LINE",
// or 1,000 bytes to "big".
class Served {
 public:
  explicit Served(const std::string& path) {
    sel_ = *selector::Selector::Create();
    absl::StatusOr<std::unique_ptr<ControlSocket>> c =
        ControlSocket::Listen(path, ControlSocket::Lines([this](absl::string_view line) {
          ++answered;
          return line == "big" ? std::string(1000, 'b') : "echo " + std::string(line);
        }));
    EXPECT_THAT(c, IsOk());
    control_ = *std::move(c);
    EXPECT_THAT(control_->Attach(sel_.get()), IsOk());
  }
  // Turn serves what is ready within `wait`.
  void Turn(absl::Duration wait = absl::Milliseconds(50)) {
    absl::StatusOr<std::vector<selector::Event>> ready = sel_->Select(absl::Now() + wait);
    ASSERT_THAT(ready, IsOk());
    for (const selector::Event& e : *ready) control_->OnEvent(e);
    control_->Expire(absl::Now());
  }
  ControlSocket& control() { return *control_; }
  int answered = 0;

 private:
  std::unique_ptr<selector::Selector> sel_;
  std::unique_ptr<ControlSocket> control_;
};

net::Socket Client(const std::string& path) {
  absl::StatusOr<net::Socket> c = net::Connect({*net::SocketAddress::Unix(path)}, {});
  EXPECT_THAT(c, IsOk());
  return *std::move(c);
}

// ReadUntil reads from `fd` until `want` bytes came, turning `s` meanwhile.
std::string ReadAnswers(Served& s, int fd, size_t want) {
  std::string got;
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (got.size() < want && absl::Now() < deadline) {
    s.Turn();
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n > 0) got.append(buf, n);
    if (n == 0) break;
  }
  return got;
}

TEST(ControlSocketTest, AnswersEachLineAndALastLineWithoutNewline) {
  absl::StatusOr<testing::TempDir> d = testing::TempDir::Create();
  ASSERT_THAT(d, IsOk());
  Served s(d->Path("ctl.sock"));
  net::Socket c = Client(d->Path("ctl.sock"));
  ASSERT_THAT(io::WriteAll(c.fd(), "one\ntwo\nthree", "write"), IsOk());
  ::shutdown(c.fd(), SHUT_WR);
  EXPECT_EQ(ReadAnswers(s, c.fd(), 100), "echo one\necho two\necho three\n");
  EXPECT_EQ(s.control().clients(), 0u);  // Closed once its answers were written.
}

TEST(ControlSocketTest, ALineOver64KiBClosesTheClient) {
  absl::StatusOr<testing::TempDir> d = testing::TempDir::Create();
  ASSERT_THAT(d, IsOk());
  Served s(d->Path("ctl.sock"));
  net::Socket c = Client(d->Path("ctl.sock"));
  std::string huge(ControlSocket::kMaxLine + 4096, 'x');
  std::string got;
  size_t sent = 0;
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline && got.find('\n') == std::string::npos) {
    if (sent < huge.size()) {
      ssize_t n = ::send(c.fd(), huge.data() + sent, huge.size() - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0) sent += n;
    }
    s.Turn(absl::Milliseconds(10));
    char buf[256];
    ssize_t n = ::recv(c.fd(), buf, sizeof(buf), MSG_DONTWAIT);
    if (n > 0) got.append(buf, n);
  }
  EXPECT_EQ(got, "error: line too long\n");
  EXPECT_EQ(s.answered, 0);
}

TEST(ControlSocketTest, AClientThatDoesNotReadIsDroppedAndOthersAreServed) {
  absl::StatusOr<testing::TempDir> d = testing::TempDir::Create();
  ASSERT_THAT(d, IsOk());
  Served s(d->Path("ctl.sock"));
  net::Socket silent = Client(d->Path("ctl.sock"));
  int small = 4096;
  ::setsockopt(silent.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  // Ask without ever reading, as `(yes stats; sleep 60) | socat -u -
  // UNIX-CONNECT:ctl.sock` does: the answers pile up past kMaxUnread.
  std::string ask;
  for (int i = 0; i < 4000; ++i) ask += "big\n";
  size_t sent = 0;
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  bool dropped = false;
  net::Socket other = Client(d->Path("ctl.sock"));
  ASSERT_THAT(io::WriteAll(other.fd(), "meanwhile\n", "write"), IsOk());
  while (!dropped && absl::Now() < deadline) {
    if (sent < ask.size()) {
      ssize_t n = ::send(silent.fd(), ask.data() + sent, ask.size() - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0) sent += n;
      if (n < 0 && errno != EAGAIN) dropped = true;  // EPIPE/ECONNRESET: the server dropped it.
    } else {
      ::shutdown(silent.fd(), SHUT_WR);
    }
    s.Turn(absl::Milliseconds(5));
    if (s.control().clients() == 1 && s.answered > 4) dropped = true;  // Only `other` is left.
  }
  EXPECT_TRUE(dropped) << "sent " << sent << " answered " << s.answered;
  EXPECT_EQ(ReadAnswers(s, other.fd(), 15), "echo meanwhile\n");  // Served while the other was stuck.
  other = net::Socket();
  for (int i = 0; i < 10 && s.control().clients() > 0; ++i) s.Turn();
  EXPECT_EQ(s.control().clients(), 0u);
  // Another client is served as ever.
  net::Socket c = Client(d->Path("ctl.sock"));
  ASSERT_THAT(io::WriteAll(c.fd(), "stats\n", "write"), IsOk());
  EXPECT_EQ(ReadAnswers(s, c.fd(), 11), "echo stats\n");
}

TEST(ControlSocketTest, OneAnswerUpToMaxUnreadReachesASlowReaderWhole) {
  // One request, one answer of 16 MiB, more than the sockets hold: with
  // max_unread at 32 MiB the client gets all of it (a big GET /proxies);
  // with the default 256 KiB it was dropped part-way.
  ControlSocket::Protocol big = [](absl::string_view input, bool) -> std::optional<ControlSocket::Reply> {
    if (input.find('\n') == absl::string_view::npos) return std::nullopt;
    return ControlSocket::Reply{input.find('\n') + 1, std::string(16 << 20, 'x'), true};
  };
  ControlSocket::Options o;
  o.max_unread = 32 << 20;
  absl::StatusOr<std::unique_ptr<ControlSocket>> c =
      ControlSocket::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), big, o);
  ASSERT_THAT(c, IsOk());
  std::unique_ptr<selector::Selector> sel = *selector::Selector::Create();
  ASSERT_THAT((*c)->Attach(sel.get()), IsOk());
  absl::StatusOr<net::Socket> client = net::Connect({(*c)->address()}, {});
  ASSERT_THAT(client, IsOk());
  int small = 65536;  // The answer cannot all go at once: most of it waits in the server.
  ::setsockopt(client->fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  ASSERT_THAT(io::WriteAll(client->fd(), "get\n", "write"), IsOk());
  size_t got = 0;
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    absl::StatusOr<std::vector<selector::Event>> ready = sel->Select(absl::Now() + absl::Milliseconds(1));
    ASSERT_THAT(ready, IsOk());
    for (const selector::Event& e : *ready) (*c)->OnEvent(e);
    char buf[16384];  // Read after the server wrote what it could: the answer waits in its buffer meanwhile.
    ssize_t n = ::recv(client->fd(), buf, sizeof(buf), MSG_DONTWAIT);
    if (n > 0) got += static_cast<size_t>(n);
    if (n == 0) break;
  }
  EXPECT_EQ(got, size_t{16} << 20);
}

TEST(ControlSocketTest, ATcpProtocolTimesOutAnIncompleteRequest) {
  // A protocol whose requests end with '.': what a slow HTTP client meets.
  ControlSocket::Protocol dots = [](absl::string_view input, bool) -> std::optional<ControlSocket::Reply> {
    size_t dot = input.find('.');
    if (dot == absl::string_view::npos) return std::nullopt;
    return ControlSocket::Reply{dot + 1, absl::StrCat("got ", input.substr(0, dot), ";")};
  };
  ControlSocket::Options o;
  o.request_timeout = absl::Milliseconds(200);
  o.timeout_reply = "timed out";
  absl::StatusOr<std::unique_ptr<ControlSocket>> c =
      ControlSocket::Listen(*net::SocketAddress::Numeric("127.0.0.1", 0), dots, o);
  ASSERT_THAT(c, IsOk());
  std::unique_ptr<selector::Selector> sel = *selector::Selector::Create();
  ASSERT_THAT((*c)->Attach(sel.get()), IsOk());
  absl::StatusOr<net::Socket> client = net::Connect({(*c)->address()}, {});
  ASSERT_THAT(client, IsOk());
  ASSERT_THAT(io::WriteAll(client->fd(), "a.b", "write"), IsOk());
  absl::Time start = absl::Now();
  std::string got;
  while (absl::Now() < start + absl::Seconds(10)) {
    absl::StatusOr<std::vector<selector::Event>> ready = sel->Select(std::min((*c)->Deadline(), absl::Now() + absl::Seconds(1)));
    ASSERT_THAT(ready, IsOk());
    for (const selector::Event& e : *ready) (*c)->OnEvent(e);
    (*c)->Expire(absl::Now());
    char buf[64];
    ssize_t n = ::recv(client->fd(), buf, sizeof(buf), MSG_DONTWAIT);
    if (n > 0) got.append(buf, n);
    if (n == 0) break;
  }
  EXPECT_EQ(got, "got a;timed out");
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(200));
  EXPECT_EQ((*c)->clients(), 0u);
  EXPECT_EQ((*c)->Deadline(), absl::InfiniteFuture());
}

}  // namespace
}  // namespace ipckit::server
