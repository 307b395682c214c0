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

// The six dialogues below are scripted from what the servers send: Postfix
// (LMTP), INN (NNTP), Dovecot (ManageSieve), an IRCv3 server, MySQL 8 and
// OpenLDAP; each script is the exchange openssl s_client -starttls has.
TEST(StarttlsTest, Lmtp) {
  EXPECT_THAT(Dialogue(StarttlsProtocol::kLmtp,
                       {{"", "220 mail.test LMTP ready\r\n"},
                        {"LHLO tlsprobe.invalid\r\n", "250-mail.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n"},
                        {"STARTTLS\r\n", "220 2.0.0 Ready to start TLS\r\n"}}),
              IsOk());
  EXPECT_THAT(Dialogue(StarttlsProtocol::kLmtp, {{"", "220 hi\r\n"}, {"LHLO tlsprobe.invalid\r\n", "250 mail.test\r\n"}}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "STARTTLS: server does not offer it (LHLO reply): 250 mail.test"));
}

TEST(StarttlsTest, Nntp) {
  EXPECT_THAT(Dialogue(StarttlsProtocol::kNntp,
                       {{"", "200 news.test InterNetNews server ready\r\n"},
                        {"CAPABILITIES\r\n", "101 Capability list:\r\nVERSION 2\r\nREADER\r\nSTARTTLS\r\n.\r\n"},
                        {"STARTTLS\r\n", "382 Begin TLS negotiation now\r\n"}}),
              IsOk());
  EXPECT_THAT(Dialogue(StarttlsProtocol::kNntp,
                       {{"", "201 ready\r\n"}, {"CAPABILITIES\r\n", "101 Capability list:\r\nVERSION 2\r\n.\r\n"}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "STARTTLS: server does not offer it (CAPABILITIES)"));
  EXPECT_THAT(Dialogue(StarttlsProtocol::kNntp,
                       {{"", "200 ready\r\n"},
                        {"CAPABILITIES\r\n", "101 list\r\nSTARTTLS\r\n.\r\n"},
                        {"STARTTLS\r\n", "580 Can not initiate TLS negotiation\r\n"}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "STARTTLS: refused: 580 Can not initiate TLS negotiation"));
}

TEST(StarttlsTest, Sieve) {
  EXPECT_THAT(Dialogue(StarttlsProtocol::kSieve,
                       {{"", "\"IMPLEMENTATION\" \"Dovecot Pigeonhole\"\r\n\"SIEVE\" \"fileinto reject\"\r\n"
                             "\"STARTTLS\"\r\n\"VERSION\" \"1.0\"\r\nOK \"Dovecot ready.\"\r\n"},
                        {"STARTTLS\r\n", "OK \"Begin TLS negotiation now.\"\r\n"}}),
              IsOk());
  EXPECT_THAT(Dialogue(StarttlsProtocol::kSieve, {{"", "\"IMPLEMENTATION\" \"x\"\r\nOK \"ready\"\r\n"}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "STARTTLS: server does not offer it (capabilities)"));
}

TEST(StarttlsTest, Irc) {
  EXPECT_THAT(Dialogue(StarttlsProtocol::kIrc,
                       {{"STARTTLS\r\n", ":irc.test NOTICE * :*** Looking up your hostname...\r\n"
                                         ":irc.test 670 * :STARTTLS successful, go ahead with TLS handshake\r\n"}}),
              IsOk());
  EXPECT_THAT(Dialogue(StarttlsProtocol::kIrc, {{"STARTTLS\r\n", ":irc.test 421 * STARTTLS :Unknown command\r\n"}}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "STARTTLS: refused: :irc.test 421 * STARTTLS :Unknown command"));
}

// MysqlGreeting is a protocol-10 handshake packet from server `version` with
// capability flags `caps` (lower 16 bits).
std::string MysqlGreeting(const std::string& version, uint16_t caps) {
  std::string body = "\x0a" + version + std::string(1, '\0') + std::string("\x01\x00\x00\x00", 4) +
                     std::string(8, 'a') + std::string(1, '\0') +
                     std::string{static_cast<char>(caps & 0xff), static_cast<char>(caps >> 8)} +
                     std::string("\x21\x02\x00\xff\xc1\x15", 6) + std::string(10, '\0') + std::string(13, 'b');
  return std::string{static_cast<char>(body.size()), 0, 0, 0} + body;
}

TEST(StarttlsTest, Mysql) {
  std::string request = {0x20, 0, 0, 1, static_cast<char>(0x85), static_cast<char>(0xae), 0x7f, 0, 0, 0, 0, 1, 0x21};
  request += std::string(23, '\0');
  EXPECT_THAT(Dialogue(StarttlsProtocol::kMysql, {{"", MysqlGreeting("8.0.36", 0xffff)}, {request, ""}}), IsOk());
  EXPECT_THAT(Dialogue(StarttlsProtocol::kMysql, {{"", MysqlGreeting("5.5.5-old", 0xf7ff)}}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "STARTTLS: server does not offer it (MySQL 5.5.5-old without CLIENT_SSL)"));
  EXPECT_THAT(Dialogue(StarttlsProtocol::kMysql, {{"", "HTTP/1.1 400 Bad Request\r\n\r\n"}}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "STARTTLS: not a MySQL handshake packet (length 5526600)"));
}

TEST(StarttlsTest, Ldap) {
  std::string request = {0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, static_cast<char>(0x80), 0x16};
  request += "1.3.6.1.4.1.1466.20037";
  // OpenLDAP's success: messageID 1, ExtendedResponse resultCode 0, the OID.
  std::string ok = {0x30, 0x24, 0x02, 0x01, 0x01, 0x78, 0x1f, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00,
                    static_cast<char>(0x8a), 0x16};
  ok += "1.3.6.1.4.1.1466.20037";
  EXPECT_THAT(Dialogue(StarttlsProtocol::kLdap, {{request, ok}}), IsOk());
  std::string refused = {0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0a, 0x01, 0x02, 0x04, 0x00, 0x04, 0x00};
  EXPECT_THAT(Dialogue(StarttlsProtocol::kLdap, {{request, refused}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "STARTTLS: refused: LDAP result code 2"));
  EXPECT_THAT(Dialogue(StarttlsProtocol::kLdap, {{request, "+OK\r\n"}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "STARTTLS: not an LDAP extended response: 2b"));
}

}  // namespace
}  // namespace ipckit::tlsprobe
