#include "tools/tlsprobe/tlsprobe.h"

#include <sys/socket.h>

#include <sstream>

#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"
#include "tools/tlsprobe/probe.h"
#include "tools/tlsprobe/starttls.h"

namespace ipckit::tlsprobe {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;

// FromArgv parses `args` as tlsprobe's command line, touching neither the
// network nor the file system.
Options FromArgv(std::vector<std::string> args) {
  Options o;
  cli::Parser p(ToolInfo());
  DeclareOptions(p, &o);
  args.insert(args.begin(), "tlsprobe");
  absl::StatusOr<cli::ParseResult> r = p.Parse(args);
  EXPECT_THAT(r, IsOk());
  if (r.ok()) o.targets = r->args;
  return o;
}

TEST(ValidateTest, PlanFromArgvOpensNothing) {
  absl::StatusOr<Plan> p = Validate(FromArgv({"--ca-file", "/nonexistent/ca.pem", "--cert", "/nonexistent/c.pem",
                                              "--key", "/nonexistent/k.pem", "-k", "--servername", "example.org",
                                              "--alpn", "h2,http/1.1", "nosuchhost.invalid"}));
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->probe.tls.ca_file, "/nonexistent/ca.pem");
  EXPECT_EQ(p->probe.tls.cert_file, "/nonexistent/c.pem");
  EXPECT_FALSE(p->probe.tls.verify);
  EXPECT_EQ(p->probe.servername, "example.org");
  EXPECT_EQ(p->probe.tls.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(p->targets, std::vector<std::string>{"nosuchhost.invalid"});
}

TEST(ParseTargetTest, DefaultsToPort443) {
  absl::StatusOr<Target> t = ParseTarget("example.org");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->host, "example.org");
  EXPECT_EQ(t->port, 443);
  t = ParseTarget("example.org:8443");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->port, 8443);
  t = ParseTarget("[::1]:993");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->host, "::1");
  EXPECT_EQ(t->port, 993);
  t = ParseTarget("::1");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->host, "::1");
  EXPECT_EQ(t->port, 443);
  t = ParseTarget("[2001:db8::1]");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->host, "2001:db8::1");
  t = ParseTarget("host:https");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->port, 443);
}

TEST(ParseTargetTest, RejectsBadTargets) {
  EXPECT_THAT(ParseTarget(""), StatusIs(absl::StatusCode::kInvalidArgument, "invalid target '': empty"));
  EXPECT_THAT(ParseTarget("h:0"), StatusIs(absl::StatusCode::kInvalidArgument,
                                          "invalid target 'h:0': need a host and a port 1-65535"));
  EXPECT_THAT(ParseTarget(":443"), StatusIs(absl::StatusCode::kInvalidArgument,
                                           "invalid target ':443': need a host and a port 1-65535"));
  EXPECT_THAT(ParseTarget("h:x"), StatusIs(absl::StatusCode::kInvalidArgument,
                                          "invalid target 'h:x': invalid port 'x'"));
  EXPECT_THAT(ParseTarget("[::1"), StatusIs(absl::StatusCode::kInvalidArgument, "invalid target '[::1'"));
}

TEST(StarttlsTest, SmtpReplyLines) {
  int code;
  EXPECT_TRUE(SmtpReplyEnd("250 ok", &code));
  EXPECT_EQ(code, 250);
  EXPECT_FALSE(SmtpReplyEnd("250-more", &code));
  EXPECT_EQ(code, 250);
  EXPECT_TRUE(SmtpReplyEnd("220", &code));
  EXPECT_FALSE(SmtpReplyEnd("25x ok", &code));
  EXPECT_EQ(code, -1);
  EXPECT_FALSE(SmtpReplyEnd("2500 ok", &code));
  EXPECT_EQ(code, -1);
  EXPECT_FALSE(SmtpReplyEnd("", &code));
}

TEST(StarttlsTest, ParsesProtocols) {
  EXPECT_THAT(ParseStarttls("SMTP"), ::ipckit::testing::IsOkAndHolds(StarttlsProtocol::kSmtp));
  EXPECT_THAT(ParseStarttls("postgres"), ::ipckit::testing::IsOkAndHolds(StarttlsProtocol::kPostgres));
  EXPECT_THAT(ParseStarttls("ldap"), ::ipckit::testing::IsOkAndHolds(StarttlsProtocol::kLdap));
  EXPECT_THAT(ParseStarttls("gopher"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unknown STARTTLS protocol 'gopher' (want smtp, imap, pop3, ftp, xmpp, postgres, lmtp, nntp, sieve, irc, "
                       "mysql or ldap)"));
}

TEST(ValidateTest, Conflicts) {
  Options o;
  EXPECT_THAT(Validate(o), IsOk());
  o.min_version = "1.3";
  o.max_version = "1.2";
  EXPECT_THAT(Validate(o), StatusIs(absl::StatusCode::kInvalidArgument, "--min-version is above --max-version"));
  o = Options();
  o.ipv4 = o.ipv6 = true;
  EXPECT_THAT(Validate(o), StatusIs(absl::StatusCode::kInvalidArgument, "-4 and -6 conflict"));
  o = Options();
  o.policy = "strict";
  EXPECT_THAT(Validate(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                    "--policy: unknown policy \"strict\" (want modern, intermediate or old)"));
  o = Options();
  o.forbid_version = "1.0,1.4";
  EXPECT_THAT(Validate(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                    "--forbid-version: unknown TLS version \"1.4\" (want 1.0, 1.1, 1.2 or 1.3)"));
  o = Options();
  o.forbid_cipher = "anon,WEAK";
  EXPECT_THAT(Validate(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                    "--forbid-cipher: unknown cipher or category \"WEAK\""));
  o = Options();
  o.policy_file = "/nonexistent/policy.json";  // Validate opens no file: Run reads it.
  ASSERT_THAT(Validate(o), IsOk());
  std::istringstream no_targets("127.0.0.1:1\n");
  std::ostringstream out, err;
  EXPECT_EQ(cli::ExitCode(tlsprobe::Run(*Validate(o), no_targets, out, err)), kExitUsage);
  EXPECT_EQ(err.str(), "tlsprobe: --policy-file /nonexistent/policy.json: No such file or directory\n");
  EXPECT_EQ(out.str(), "");
  o = Options();
  o.policy = "intermediate";
  o.forbid_version = "SSLv3,1.0";
  absl::StatusOr<Plan> gated = Validate(o);
  ASSERT_THAT(gated, IsOk());
  EXPECT_TRUE(gated->enumerate);  // Implied.
  ASSERT_EQ(gated->policies.size(), 2u);
  EXPECT_EQ(*gated->policies[1].versions, (std::vector<std::string>{"TLSv1.1", "TLSv1.2", "TLSv1.3"}));
  o = Options();
  o.min_key_bits = 2048;  // The probe's certificate answers it: no enumeration.
  absl::StatusOr<Plan> keys = Validate(o);
  ASSERT_THAT(keys, IsOk());
  EXPECT_FALSE(keys->enumerate);
  o.min_dh_bits = 2048;
  EXPECT_TRUE(Validate(o)->enumerate);
  o = Options();
  o.policy = "old";
  o.starttls = "smtp";  // Each enumeration connection speaks STARTTLS first.
  ASSERT_THAT(Validate(o), IsOk());
  EXPECT_TRUE(Validate(o)->enumerate);
  EXPECT_EQ(Validate(o)->probe.starttls, StarttlsProtocol::kSmtp);
  EXPECT_THAT(Validate(FromArgv({"--alpn", "h2,,http/1.1"})),
              StatusIs(absl::StatusCode::kInvalidArgument, "--alpn: each protocol must be 1 to 255 bytes"));
  EXPECT_THAT(Validate(FromArgv({"--cert", "c.pem", "h"})),
              StatusIs(absl::StatusCode::kInvalidArgument, "--cert and --key go together"));
  EXPECT_THAT(Validate(FromArgv({"--no-sni", "--servername", "x", "h"})),
              StatusIs(absl::StatusCode::kInvalidArgument, "--no-sni and --servername conflict"));
  o = Options();
  o.checks.version = "2.0";
  EXPECT_THAT(Validate(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                    "--expect-version: unknown TLS version \"2.0\" (want 1.0, 1.1, 1.2 or 1.3)"));
}

TEST(ValidateTest, PlanHoldsParsedOptions) {
  Options o;
  o.starttls = "smtp";
  o.ipv6 = true;
  o.max_version = "1.2";
  absl::StatusOr<Plan> p = Validate(o);
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->probe.starttls, StarttlsProtocol::kSmtp);
  EXPECT_EQ(p->probe.family, AF_INET6);
  EXPECT_EQ(p->probe.tls.max_version, 0x0303);
  EXPECT_FALSE(p->enumerate);
}

TEST(ReadTargetsTest, ArgumentsOrStdinLines) {
  std::istringstream none(""), lines("a.example\n  # comment\n\n[::1]:8443\n");
  absl::StatusOr<std::vector<Target>> t = ReadTargets({"x.example:25"}, none);
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->at(0).port, 25);
  t = ReadTargets({}, lines);
  ASSERT_THAT(t, IsOk());
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ(t->at(0).port, 443);
  EXPECT_EQ(t->at(1).host, "::1");
  std::istringstream empty("# only a comment\n");
  EXPECT_THAT(ReadTargets({}, empty), StatusIs(absl::StatusCode::kInvalidArgument,
                                               "no targets (give HOST[:PORT] arguments or lines on stdin)"));
}

}  // namespace
}  // namespace ipckit::tlsprobe
