#include "tools/tlsprobe/starttls.h"

#include <sys/socket.h>

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "lib/io/fd.h"
#include "lib/io/unique_fd.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::tlsprobe {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;

// Step is one server turn: read exactly `expect` (if any), then send `reply`.
struct Step {
  std::string expect;
  std::string reply;
};

// Dialogue runs Starttls against a scripted server on a socketpair.
absl::Status Dialogue(StarttlsProtocol p, std::vector<Step> steps, absl::Duration limit = absl::Seconds(5)) {
  int sv[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  io::UniqueFd client(sv[0]), server(sv[1]);
  std::thread t([&] {
    for (const Step& s : steps) {
      if (!s.expect.empty()) {
        std::string got(s.expect.size(), '\0');
        absl::StatusOr<size_t> n = io::ReadFull(server.get(), absl::MakeSpan(got));
        if (!n.ok() || *n != got.size()) return;
        EXPECT_EQ(got, s.expect);
      }
      if (!s.reply.empty()) (void)io::WriteAll(server.get(), s.reply);
    }
    // Hold the connection until the client is done.
    char c;
    (void)io::ReadOnce(server.get(), absl::MakeSpan(&c, 1));
  });
  absl::Status st = Starttls(client.get(), p, "mail.test", absl::Now() + limit);
  ::shutdown(client.get(), SHUT_RDWR);
  t.join();
  return st;
}

TEST(StarttlsTest, SmtpMultilineGreetingAndEhlo) {
  EXPECT_THAT(Dialogue(StarttlsProtocol::kSmtp,
                       {{"", "220-mail.test ESMTP\r\n220 ready\r\n"},
                        {"EHLO tlsprobe.invalid\r\n", "250-mail.test\r\n250-SIZE 10\r\n250 STARTTLS\r\n"},
                        {"STARTTLS\r\n", "220 go ahead\r\n"}}),
              IsOk());
}

TEST(StarttlsTest, SmtpFailures) {
  EXPECT_THAT(Dialogue(StarttlsProtocol::kSmtp, {{"", "220 hi\r\n"}, {"EHLO tlsprobe.invalid\r\n", "250 mail.test\r\n"}}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "STARTTLS: server does not offer it (EHLO reply): 250 mail.test"));
  EXPECT_THAT(Dialogue(StarttlsProtocol::kSmtp,
                       {{"", "220 hi\r\n"},
                        {"EHLO tlsprobe.invalid\r\n", "250 STARTTLS\r\n"},
                        {"STARTTLS\r\n", "454 TLS not available\r\n"}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "STARTTLS: refused: 454 TLS not available"));
  EXPECT_THAT(Dialogue(StarttlsProtocol::kSmtp, {{"", "554 go away\r\n"}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "STARTTLS: unexpected greeting: 554 go away"));
  EXPECT_THAT(Dialogue(StarttlsProtocol::kSmtp, {{"", "SSH-2.0-OpenSSH\r\n"}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "STARTTLS: not a reply: SSH-2.0-OpenSSH"));
}

TEST(StarttlsTest, DataBeforeTheHandshakeIsRefused) {
  EXPECT_THAT(Dialogue(StarttlsProtocol::kSmtp,
                       {{"", "220 hi\r\n"},
                        {"EHLO tlsprobe.invalid\r\n", "250 STARTTLS\r\n"},
                        {"STARTTLS\r\n", "220 go\r\nextra"}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "STARTTLS: server sent data before the TLS handshake"));
}

TEST(StarttlsTest, Imap) {
  EXPECT_THAT(Dialogue(StarttlsProtocol::kImap,
                       {{"", "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"},
                        {"t1 STARTTLS\r\n", "* some untagged line\r\nt1 OK Begin TLS\r\n"}}),
              IsOk());
  EXPECT_THAT(Dialogue(StarttlsProtocol::kImap, {{"", "* OK ready\r\n"}, {"t1 STARTTLS\r\n", "t1 NO not now\r\n"}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "STARTTLS: refused: t1 NO not now"));
}

TEST(StarttlsTest, Pop3) {
  EXPECT_THAT(Dialogue(StarttlsProtocol::kPop3, {{"", "+OK POP3\r\n"}, {"STLS\r\n", "+OK begin\r\n"}}), IsOk());
  EXPECT_THAT(Dialogue(StarttlsProtocol::kPop3, {{"", "+OK POP3\r\n"}, {"STLS\r\n", "-ERR no\r\n"}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "STARTTLS: refused: -ERR no"));
}

TEST(StarttlsTest, Ftp) {
  EXPECT_THAT(Dialogue(StarttlsProtocol::kFtp, {{"", "220 FTP\r\n"}, {"AUTH TLS\r\n", "234 ok\r\n"}}), IsOk());
  EXPECT_THAT(Dialogue(StarttlsProtocol::kFtp, {{"", "220 FTP\r\n"}, {"AUTH TLS\r\n", "530 no\r\n"}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "STARTTLS: refused: 530 no"));
}

TEST(StarttlsTest, Xmpp) {
  std::string open =
      "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
      "xmlns:stream='http://etherx.jabber.org/streams' to='mail.test' version='1.0'>";
  std::string starttls = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
  EXPECT_THAT(Dialogue(StarttlsProtocol::kXmpp,
                       {{open, "<stream:stream><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
                               "</stream:features>"},
                        {starttls, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"}}),
              IsOk());
  EXPECT_THAT(Dialogue(StarttlsProtocol::kXmpp, {{open, "<stream:stream><stream:features></stream:features>"}}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "STARTTLS: server does not offer it (no <starttls/> feature)"));
}

TEST(StarttlsTest, Postgres) {
  std::string request("\x00\x00\x00\x08\x04\xd2\x16\x2f", 8);
  EXPECT_THAT(Dialogue(StarttlsProtocol::kPostgres, {{request, "S"}}), IsOk());
  EXPECT_THAT(Dialogue(StarttlsProtocol::kPostgres, {{request, "N"}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "STARTTLS: server does not offer it (SSLRequest: N)"));
}

TEST(StarttlsTest, SilenceTimesOutAndCloseIsReported) {
  EXPECT_THAT(Dialogue(StarttlsProtocol::kSmtp, {}, absl::Milliseconds(100)),
              StatusIs(absl::StatusCode::kDeadlineExceeded, "STARTTLS: timed out"));
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  io::UniqueFd client(sv[0]);
  ::close(sv[1]);
  EXPECT_THAT(Starttls(client.get(), StarttlsProtocol::kPop3, "h", absl::Now() + absl::Seconds(5)),
              StatusIs(absl::StatusCode::kAborted, "STARTTLS: connection closed by the server"));
}

}  // namespace
}  // namespace ipckit::tlsprobe
