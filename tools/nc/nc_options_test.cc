#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/argv.h"
#include "lib/testing/status_matchers.h"
#include "tools/nc/nc.h"
#include "tools/nc/nc_options.h"

namespace ipckit::nc {
namespace {

using ::absl::StatusCode;
using ::ipckit::testing::IsOk;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::StatusIs;

Options Connect() {
  Options o;
  o.args = {"127.0.0.1", "80"};
  return o;
}

Options Listen() {
  Options o;
  o.listen = true;
  o.args = {"0"};
  return o;
}

TEST(NcOptionsTest, PlainConnectAndListenAreValid) {
  EXPECT_THAT(Validate(Connect()), IsOk());
  EXPECT_THAT(Validate(Listen()), IsOk());
  Options o = Connect();
  o.args = {"[::1]:80"};
  EXPECT_THAT(Validate(o), IsOk());
  o = Listen();
  o.args = {"127.0.0.1", "0"};
  EXPECT_THAT(Validate(o), IsOk());
  o.args = {};
  o.source_port = 8080;
  EXPECT_THAT(Validate(o), IsOk());
}

TEST(NcOptionsTest, DifferingFlagsAreRejectedNotReinterpreted) {
  Options o = Connect();
  o.flag_e = "/bin/sh";
  EXPECT_THAT(Validate(o), StatusIs(StatusCode::kInvalidArgument,
                                    "-e is not supported: it means 'exec' only in some netcats; "
                                    "use --exec CMD or --sh-exec CMD"));
  o = Connect();
  o.flag_c = "x";
  EXPECT_THAT(Validate(o), StatusIs(StatusCode::kInvalidArgument,
                                    "-c is not supported: it means TLS in OpenBSD nc and 'sh -c' "
                                    "in ncat; use --sh-exec CMD"));
  o = Connect();
  o.flag_t = true;
  EXPECT_THAT(Validate(o), StatusIs(StatusCode::kInvalidArgument,
                                    "-t (telnet negotiation) is not supported"));
}

// FromArgv parses `args` as nc's command line (nc_options.h), without
// touching the network or the file system.
Options FromArgv(std::vector<std::string> args) {
  Options o;
  absl::StatusOr<std::vector<std::string>> rest =
      testing::ParseArgv(ToolInfo(), [&](cli::Parser& p) { DeclareOptions(p, &o); }, std::move(args));
  EXPECT_THAT(rest, IsOk());
  if (rest.ok()) o.args = *rest;
  return o;
}

TEST(NcOptionsTest, TlsAndProxyConflicts) {
  const std::string pin = "sha256//Q8a4HZ22yTNwWQqTnIeQxmNVqc7cFQE/F3Yt86yoQt0=";
  struct Case {
    std::vector<std::string> args;
    const char* message;
  } cases[] = {
      {{"--ssl-cert", "c", "h", "1"}, "--ssl-* options and --insecure require --ssl"},
      {{"--insecure", "h", "1"}, "--ssl-* options and --insecure require --ssl"},
      {{"--ssl", "-u", "h", "1"}, "cannot use --ssl with -u"},
      {{"--ssl", "-z", "h", "1"}, "cannot use --ssl with -z or -F"},
      {{"--ssl", "--ssl-cert", "c", "h", "1"}, "--ssl-cert and --ssl-key go together"},
      {{"--ssl", "-l", "0"}, "a TLS listener needs --ssl-cert and --ssl-key"},
      {{"--ssl", "-l", "0", "--ssl-cert", "c", "--ssl-key", "c", "--insecure"},
       "--ssl-trustfile, --ssl-servername, --ssl-pin, --ssl-verify and --insecure are for clients"},
      {{"--ssl", "--ssl-verify-client", "ca", "h", "1"}, "--ssl-verify-client and --ssl-legacy require -l"},
      {{"--ssl", "--ssl-pin", "sha256//short", "h", "1"},
       "--ssl-pin: want sha256//BASE64 (44 characters), got 'sha256//short'"},
      {{"--ssl", "--ssl-alpn", "h2,", "h", "1"}, "--ssl-alpn: each protocol must be 1 to 255 bytes"},
      {{"--ssl", "--ssl-verify", "--insecure", "h", "1"}, "cannot use --ssl-verify with --insecure"},
      {{"-X", "5", "h", "1"}, "-X requires -x"},
      {{"-P", "u", "h", "1"}, "-P requires -x"},
      {{"-x", "p:1", "-u", "h", "1"}, "cannot use -x with -l, -u, -U, -z or -F"},
      {{"-x", "p:1", "-X", "4", "h", "1"}, "-X: unsupported proxy protocol '4' (want 5 or connect)"},
      {{"-x", "p:1", "--proxy", "p:1", "h", "1"}, "cannot use -x with --proxy"},
      {{"--proxy", "127.0.0.1:", "h", "1"}, "--proxy: '127.0.0.1:' needs HOST or HOST:PORT"},
      {{"--proxy-type", "http", "h", "1"}, "--proxy-type and --proxy-auth require --proxy (-x)"},
      {{"-x", "p:1", "--proxy-type", "socks4", "h", "1"}, "--proxy-type: 'socks4' is not supported (use http or socks5)"},
      {{"-x", "p:1", "-X", "5", "--proxy-type", "http", "h", "1"}, "cannot use --proxy-type with -X"},
      {{"--proxy", "p:1", "-l", "0"}, "cannot use -x with -l, -u, -U, -z or -F"},
      {{"--proxy", "p:1", "--wait-for", "1s", "h", "1"}, "--wait-for is for TCP connects: not with -l, -u, -U or -x"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(Validate(FromArgv(c.args)), StatusIs(StatusCode::kInvalidArgument, c.message)) << c.message;
  }
  absl::StatusOr<Plan> ok = Validate(FromArgv({"--ssl", "--ssl-pin", pin + ";" + pin, "--ssl-alpn", "h2,http/1.1",
                                               "--ssl-servername", "example.org", "h", "1"}));
  ASSERT_THAT(ok, IsOk());
  ASSERT_TRUE(ok->tls.has_value());
  EXPECT_FALSE(ok->tls->server);
  EXPECT_EQ(ok->tls->pins, (std::vector<std::string>{pin, pin}));
  EXPECT_EQ(ok->tls->options.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(ok->tls->servername, "example.org");
  EXPECT_TRUE(ok->tls->options.verify);
}

TEST(NcOptionsTest, TlsServerPlanOpensNoFile) {
  absl::StatusOr<Plan> p = Validate(FromArgv({"--ssl", "-l", "0", "--ssl-cert", "/nonexistent/c.pem", "--ssl-key",
                                              "/nonexistent/k.pem", "--ssl-verify-client", "/nonexistent/ca.pem"}));
  ASSERT_THAT(p, IsOk());
  ASSERT_TRUE(p->tls.has_value());
  EXPECT_TRUE(p->tls->server);
  EXPECT_EQ(p->tls->options.cert_file, "/nonexistent/c.pem");
  EXPECT_EQ(p->tls->options.client_ca_file, "/nonexistent/ca.pem");
}

TEST(NcOptionsTest, Conflicts) {
  struct Case {
    void (*edit)(Options&);
    const char* message;
  } cases[] = {
      {[](Options& o) { o.ipv4 = o.ipv6 = true; }, "cannot use -4 and -6 together"},
      {[](Options& o) { o.keep_listening = true; }, "-k requires -l"},
      {[](Options& o) { o.send_only = o.recv_only = true; },
       "cannot use --send-only with --recv-only"},
      {[](Options& o) { o.send_only = o.no_stdin = true; }, "cannot use --send-only with -d"},
      {[](Options& o) { o.idle_timeout = absl::ZeroDuration(); }, "--idle-timeout: must be more than 0"},
      {[](Options& o) { o.proxy = ":1080"; }, "-x: ':1080' needs HOST or HOST:PORT"},
      {[](Options& o) {
         o.exec = "cat";
         o.sh_exec = "cat";
       },
       "cannot use --exec with --sh-exec"},
      {[](Options& o) {
         o.exec = "cat";
         o.scan = true;
       },
       "cannot use --exec/--sh-exec with -z, -F, -d, --send-only or --recv-only"},
      {[](Options& o) { o.port_file = "f"; }, "--port-file requires -l"},
      {[](Options& o) {
         o.unix_socket = true;
         o.ipv4 = true;
         o.args = {"/tmp/x"};
       },
       "cannot use -4, -6, -p or -T with -U"},
      {[](Options& o) { o.args = {}; }, "missing host and port"},
      {[](Options& o) { o.args = {"a", "1", "2"}; }, "too many arguments (several ports need -z)"},
      {[](Options& o) {
         o.unix_socket = true;
         o.source_address = "/tmp/me";
         o.args = {"/tmp/x"};
       },
       "-s with -U names a datagram client's own path: use it with -u, not -l"},
      {[](Options& o) { o.max_conns = 5; }, "--max-conns requires -lk with --exec or --sh-exec (other -k clients are served one at a time)"},
      {[](Options& o) { o.allow = {"10.0.0.1"}; }, "--allow and --deny require a TCP or Unix stream listener (-l, not -u)"},
      {[](Options& o) {
         o.listen = true;
         o.args = {"0"};
         o.deny = {"10.0.0.0/40"};
       },
       "--deny: invalid entry '10.0.0.0/40'"},
      {[](Options& o) { o.append_output = true; }, "--append-output requires --output or --hex-dump"},
      {[](Options& o) { o.args = {"host"}; },
       "missing port number"},
      {[](Options& o) { o.args = {"host", "99999"}; }, "invalid port '99999'"},
      {[](Options& o) { o.args = {"host", "20-30"}; }, "invalid port '20-30'"},
      {[](Options& o) { o.quit_after = "soon"; },
       "-q: invalid duration 'soon' (use e.g. 250ms, 5s, 2m, 1.5h)"},
      {[](Options& o) { o.tos = "fast"; },
       "-T: invalid TOS 'fast' (use 0-255, 0xNN, lowdelay, throughput, reliability, lowcost, "
       "critical, inetcontrol, netcontrol, ef, af11-af43, cs0-cs7)"},
      {[](Options& o) { o.pass_fd = o.scan = true; }, "cannot use -F with -l or -z"},
  };
  for (const Case& c : cases) {
    Options o = Connect();
    c.edit(o);
    EXPECT_THAT(Validate(o), StatusIs(StatusCode::kInvalidArgument, c.message)) << c.message;
  }
}

TEST(NcOptionsTest, ListenConflicts) {
  Options o = Listen();
  o.scan = true;
  EXPECT_THAT(Validate(o), StatusIs(StatusCode::kInvalidArgument, "cannot use -z with -l"));
  o = Listen();
  o.args = {};
  EXPECT_THAT(Validate(o), StatusIs(StatusCode::kInvalidArgument, "missing port to listen on"));
  o = Listen();
  o.source_port = 5;
  EXPECT_THAT(Validate(o), StatusIs(StatusCode::kInvalidArgument,
                                    "give the port to listen on once: -p PORT or an argument"));
}

TEST(NcOptionsTest, ScanTakesPortLists) {
  Options o = Connect();
  o.scan = true;
  o.args = {"127.0.0.1", "20-30,80"};
  EXPECT_THAT(Validate(o), IsOk());
  o.args = {"127.0.0.1", "30-20", "80", "1-2"};  // Several arguments, a reversed range.
  EXPECT_THAT(Validate(o), IsOk());
  o.args = {"127.0.0.1", "80", "70000"};
  EXPECT_THAT(Validate(o), StatusIs(StatusCode::kInvalidArgument, "invalid port '70000'"));
}

TEST(NcOptionsTest, QuitAcceptsNegativeAsForever) {
  Options o = Connect();
  o.quit_after = "-1";
  EXPECT_THAT(Validate(o), IsOk());
  o.quit_after = "0";
  EXPECT_THAT(Validate(o), IsOk());
  o.quit_after = "-x";
  EXPECT_THAT(Validate(o), StatusIs(StatusCode::kInvalidArgument, "-q: invalid value '-x'"));
}

TEST(NcOptionsTest, TosValues) {
  EXPECT_THAT(TosValue("lowdelay"), IsOkAndHolds(0x10));
  EXPECT_THAT(TosValue("Throughput"), IsOkAndHolds(0x08));
  EXPECT_THAT(TosValue("af11"), IsOkAndHolds(40));
  EXPECT_THAT(TosValue("af43"), IsOkAndHolds(152));
  EXPECT_THAT(TosValue("cs7"), IsOkAndHolds(224));
  EXPECT_THAT(TosValue("ef"), IsOkAndHolds(0xb8));
  EXPECT_THAT(TosValue("0x10"), IsOkAndHolds(16));
  EXPECT_THAT(TosValue("255"), IsOkAndHolds(255));
  EXPECT_THAT(TosValue("256"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(TosValue("af44"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(TosValue("-1"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(NcOptionsTest, ExitCodes) {
  using cli::ExitCode;
  EXPECT_EQ(ExitCode(absl::OkStatus(), kExitRules), 0);
  EXPECT_EQ(ExitCode(absl::UnavailableError("connect 127.0.0.1:9: Connection refused"), kExitRules), 1);
  EXPECT_EQ(ExitCode(absl::DeadlineExceededError("connect x: timed out after 1s"), kExitRules), kExitTimeout);
  EXPECT_EQ(ExitCode(absl::UnauthenticatedError("verify: certificate has expired"), kExitRules), kExitTlsVerify);
  EXPECT_EQ(kExitTimeout, 3);
}

}  // namespace
}  // namespace ipckit::nc

namespace ipckit::nc {
namespace {

// Validate's plan holds every value parsed, so that Run parses nothing.
TEST(NcOptionsTest, ValidateReturnsTheParsedPlan) {
  Options o = FromArgv({"-x", "proxy.example", "--proxy-type", "http", "--proxy-auth", "al:pw", "example.org", "80"});
  o.quit_after = "1";
  o.tos = "lowdelay";
  o.exec = "tr  a-z A-Z";
  absl::StatusOr<Plan> p = Validate(o);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->target.host, "example.org");
  EXPECT_EQ(p->target.ports, std::vector<uint16_t>{80});
  EXPECT_EQ(p->quit_after, absl::Seconds(1));
  EXPECT_EQ(p->socket.tos, 0x10);
  ASSERT_TRUE(p->proxy.has_value());
  EXPECT_EQ(p->proxy->host, "proxy.example");
  EXPECT_EQ(p->proxy->port, 3128);  // HTTP's default, as OpenBSD nc.
  EXPECT_EQ(p->proxy->protocol, net::ProxyProtocol::kHttpConnect);
  EXPECT_EQ(p->proxy->user, "al");
  EXPECT_EQ(p->proxy->password, "pw");
  EXPECT_EQ(p->exec_argv, (std::vector<std::string>{"tr", "a-z", "A-Z"}));

  // ncat's --proxy means HTTP unless --proxy-type says otherwise; -x means
  // SOCKS5 unless -X does (OpenBSD nc). --no-shutdown cancels -N.
  o = FromArgv({"--proxy", "127.0.0.1", "example.org", "80"});
  o.shutdown_on_eof = o.no_shutdown = true;
  p = Validate(o);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->proxy->protocol, net::ProxyProtocol::kHttpConnect);
  EXPECT_EQ(p->proxy->port, 3128);
  o = FromArgv({"--proxy", "127.0.0.1", "--proxy-type", "socks5", "example.org", "80"});
  p = Validate(o);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->proxy->protocol, net::ProxyProtocol::kSocks5);
  EXPECT_EQ(p->proxy->port, 1080);
  o = Options();
  o.args = {"example.org", "80"};
  o.proxy = "127.0.0.1";
  p = Validate(o);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->proxy->protocol, net::ProxyProtocol::kSocks5);

  o = Options();
  o.scan = true;
  o.args = {"h", "3-1", "80"};
  o.quit_after = "-1";
  p = Validate(o);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->target.ports, (std::vector<uint16_t>{1, 2, 3, 80}));
  EXPECT_EQ(p->quit_after, std::nullopt);
}

}  // namespace
}  // namespace ipckit::nc
