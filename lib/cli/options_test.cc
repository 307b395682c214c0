#include "lib/cli/options.h"

#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::cli {
namespace {

using ::absl::StatusCode;
using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// Options resembles a tool's option struct.
struct Options {
  bool listen = false;
  bool keep = false;
  int verbose = 0;
  int port = 0;
  std::optional<int> tos;
  absl::Duration timeout = absl::InfiniteDuration();
  std::optional<absl::Duration> idle;
  uint32_t buffer = 0;
  std::string source;
  std::optional<std::string> name;
  std::vector<std::string> listeners;
};

class ParserTest : public ::testing::Test {
 protected:
  ParserTest() : parser_(ToolInfo{"nc", {"[-lkv] [-p PORT] HOST PORT", "-l [-k] PORT"},
                                  "Read and write data across network connections.", "", false}) {
    Declare(parser_);
  }

  void Declare(Parser& p) {
    p.Flag('l', "listen", "listen for an incoming connection", &opts_.listen)
        .Flag('k', nullptr, "keep listening after a client leaves", &opts_.keep)
        .Count('v', "verbose", "say more (repeatable)", &opts_.verbose)
        .Int('p', "port", "PORT", "local port", &opts_.port, 0, 65535)
        .Int('T', nullptr, "TOS", "type of service", &opts_.tos, 0, 255)
        .Duration('w', "timeout", "DURATION", "connect and idle timeout", &opts_.timeout)
        .Duration(0, "idle", "DURATION", "idle timeout", &opts_.idle)
        .Size('I', "buffer", "SIZE", "receive buffer size", &opts_.buffer)
        .String('s', "source", "ADDR", "source address", &opts_.source)
        .String(0, "name", "NAME", "a name", &opts_.name)
        .Strings('L', "listener", "ADDR", "listen on ADDR (repeatable)", &opts_.listeners);
  }

  absl::StatusOr<ParseResult> Parse(std::vector<std::string> args) {
    args.insert(args.begin(), "nc");
    return parser_.Parse(args);
  }

  Options opts_;
  Parser parser_;
};

TEST_F(ParserTest, ClusteredFlagsAndSeparateValue) {
  absl::StatusOr<ParseResult> r = Parse({"-lkv", "-p", "8080"});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->action, ParseResult::Action::kRun);
  EXPECT_TRUE(opts_.listen);
  EXPECT_TRUE(opts_.keep);
  EXPECT_EQ(opts_.verbose, 1);
  EXPECT_EQ(opts_.port, 8080);
  EXPECT_TRUE(r->args.empty());
}

TEST_F(ParserTest, AttachedShortValue) {
  ASSERT_THAT(Parse({"-w5", "-p80"}), IsOk());
  EXPECT_EQ(opts_.timeout, absl::Seconds(5));
  EXPECT_EQ(opts_.port, 80);
}

TEST_F(ParserTest, ClusterEndingInValueOption) {
  ASSERT_THAT(Parse({"-lp", "9"}), IsOk());
  EXPECT_TRUE(opts_.listen);
  EXPECT_EQ(opts_.port, 9);
}

TEST_F(ParserTest, LongOptionWithEqualsAndSeparateValue) {
  ASSERT_THAT(Parse({"--timeout=250ms", "--port", "7"}), IsOk());
  EXPECT_EQ(opts_.timeout, absl::Milliseconds(250));
  EXPECT_EQ(opts_.port, 7);
}

TEST_F(ParserTest, CountRepeats) {
  ASSERT_THAT(Parse({"-vv", "--verbose", "-v"}), IsOk());
  EXPECT_EQ(opts_.verbose, 4);
}

TEST_F(ParserTest, OptionalFieldsAreSetOnlyWhenGiven) {
  ASSERT_THAT(Parse({"-T", "16"}), IsOk());
  EXPECT_EQ(opts_.tos, 16);
  EXPECT_FALSE(opts_.idle.has_value());
  EXPECT_FALSE(opts_.name.has_value());
  ASSERT_THAT(Parse({"--idle=2m", "--name", "x"}), IsOk());
  EXPECT_EQ(opts_.idle, absl::Minutes(2));
  EXPECT_EQ(opts_.name, "x");
}

TEST_F(ParserTest, SizeValues) {
  ASSERT_THAT(Parse({"-I", "64K"}), IsOk());
  EXPECT_EQ(opts_.buffer, 65536u);
}

TEST_F(ParserTest, SizeIsBoundedByFieldType) {
  EXPECT_THAT(Parse({"-I", "4G"}),
              StatusIs(StatusCode::kInvalidArgument,
                       "-I/--buffer: size '4G' is too large (at most 4294967295)"));
}

TEST(ParserIntTest, RangeIsBoundedByFieldType) {
  uint16_t port = 0;
  Parser p(ToolInfo{"t", {}, "", "", false});
  p.Int('p', "port", "PORT", "port", &port, -5, 100000);
  EXPECT_THAT(p.Parse({"t", "-p", "65536"}),
              StatusIs(StatusCode::kInvalidArgument,
                       "-p/--port: '65536' is out of range (0 to 65535)"));
  ASSERT_THAT(p.Parse({"t", "-p", "65535"}), IsOk());
  EXPECT_EQ(port, 65535);
}

TEST_F(ParserTest, StringsAccumulate) {
  ASSERT_THAT(Parse({"-L", "a", "--listener=b", "-Lc"}), IsOk());
  EXPECT_THAT(opts_.listeners, ElementsAre("a", "b", "c"));
}

TEST_F(ParserTest, LastValueWins) {
  ASSERT_THAT(Parse({"-p", "1", "-p", "2"}), IsOk());
  EXPECT_EQ(opts_.port, 2);
}

TEST_F(ParserTest, ArgumentsMayComeBeforeOptions) {
  absl::StatusOr<ParseResult> r = Parse({"example.org", "80", "-v"});
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(r->args, ElementsAre("example.org", "80"));
  EXPECT_EQ(opts_.verbose, 1);
}

TEST_F(ParserTest, DoubleDashEndsOptions) {
  absl::StatusOr<ParseResult> r = Parse({"-l", "--", "-v", "--port"});
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(r->args, ElementsAre("-v", "--port"));
  EXPECT_EQ(opts_.verbose, 0);
}

TEST_F(ParserTest, LoneDashIsAnArgument) {
  absl::StatusOr<ParseResult> r = Parse({"-", "-l"});
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(r->args, ElementsAre("-"));
}

TEST_F(ParserTest, LongOptionsAreSpelledOut) {
  // getopt_long would take each as the option it begins; a script that
  // abbreviates breaks when an option is added, and ncat's --ssl-verify
  // would become --ssl-verify-client.
  EXPECT_THAT(Parse({"--verb"}), StatusIs(StatusCode::kInvalidArgument, "unrecognized option '--verb'"));
  EXPECT_THAT(Parse({"--timeo=1s"}), StatusIs(StatusCode::kInvalidArgument, "unrecognized option '--timeo'"));
  EXPECT_THAT(Parse({"--sour", "x", "host"}), StatusIs(StatusCode::kInvalidArgument, "unrecognized option '--sour'"));
  EXPECT_THAT(Parse({"host", "--nam", "x"}), StatusIs(StatusCode::kInvalidArgument, "unrecognized option '--nam'"));
  EXPECT_THAT(Parse({"--hel"}), StatusIs(StatusCode::kInvalidArgument, "unrecognized option '--hel'"));
  ASSERT_THAT(Parse({"host", "--source", "--name", "--name=--source"}), IsOk());
  EXPECT_EQ(opts_.source, "--name");
  EXPECT_EQ(opts_.name, "--source");
}

TEST_F(ParserTest, EmptyStringValuesAreUsageErrors) {
  EXPECT_THAT(Parse({"--source", ""}), StatusIs(StatusCode::kInvalidArgument, "-s/--source: empty value"));
  EXPECT_THAT(Parse({"--name="}), StatusIs(StatusCode::kInvalidArgument, "--name: empty value"));
  EXPECT_THAT(Parse({"-L", "a", "-L", ""}), StatusIs(StatusCode::kInvalidArgument, "-L/--listener: empty value"));
}

TEST_F(ParserTest, StopAtFirstArgument) {
  Options opts;
  Parser p(ToolInfo{"sigtest", {"run [OPTIONS] -- CMD..."}, "", "", true});
  p.Flag('l', "listen", "x", &opts.listen).Count('v', "verbose", "x", &opts.verbose);
  absl::StatusOr<ParseResult> r = p.Parse({"sigtest", "-v", "cmd", "-l", "-v"});
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(r->args, ElementsAre("cmd", "-l", "-v"));
  EXPECT_EQ(opts.verbose, 1);
  EXPECT_FALSE(opts.listen);
}

TEST_F(ParserTest, HelpAndVersionAreActions) {
  absl::StatusOr<ParseResult> r = Parse({"--help"});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->action, ParseResult::Action::kHelp);
  r = Parse({"-h"});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->action, ParseResult::Action::kHelp);
  r = Parse({"--version"});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->action, ParseResult::Action::kVersion);
}

TEST_F(ParserTest, ParsesAgainAfterAnError) {
  EXPECT_THAT(Parse({"-x"}), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_THAT(Parse({"-l"}), IsOk());
  EXPECT_TRUE(opts_.listen);
}

TEST_F(ParserTest, UnknownShortOption) {
  EXPECT_THAT(Parse({"-x"}), StatusIs(StatusCode::kInvalidArgument, "invalid option -- 'x'"));
}

TEST_F(ParserTest, UnknownShortOptionInsideCluster) {
  EXPECT_THAT(Parse({"--listen", "-lxk"}),
              StatusIs(StatusCode::kInvalidArgument, "invalid option -- 'x'"));
}

TEST_F(ParserTest, UnknownLongOption) {
  EXPECT_THAT(Parse({"--frobnicate=3"}),
              StatusIs(StatusCode::kInvalidArgument, "unrecognized option '--frobnicate'"));
}

TEST_F(ParserTest, AmbiguousLongOption) {
  // --l matches --listen and --listener.
  EXPECT_THAT(Parse({"--l"}), StatusIs(StatusCode::kInvalidArgument, "option '--l' is ambiguous"));
}

TEST_F(ParserTest, MissingShortValue) {
  EXPECT_THAT(Parse({"-l", "-p"}),
              StatusIs(StatusCode::kInvalidArgument, "option requires an argument -- 'p'"));
}

TEST_F(ParserTest, MissingLongValue) {
  EXPECT_THAT(Parse({"--timeout"}),
              StatusIs(StatusCode::kInvalidArgument, "option '--timeout' requires an argument"));
  EXPECT_THAT(Parse({"--idle"}),
              StatusIs(StatusCode::kInvalidArgument, "option '--idle' requires an argument"));
}

TEST_F(ParserTest, FlagWithValue) {
  EXPECT_THAT(Parse({"--listen=yes"}),
              StatusIs(StatusCode::kInvalidArgument, "option '--listen' doesn't allow an argument"));
  EXPECT_THAT(Parse({"--help=x"}),
              StatusIs(StatusCode::kInvalidArgument, "option '--help' doesn't allow an argument"));
}

TEST_F(ParserTest, BadIntegerNamesTheOption) {
  EXPECT_THAT(Parse({"-p", "http"}),
              StatusIs(StatusCode::kInvalidArgument, "-p/--port: invalid integer 'http'"));
  EXPECT_THAT(Parse({"-p", "65536"}),
              StatusIs(StatusCode::kInvalidArgument,
                       "-p/--port: '65536' is out of range (0 to 65535)"));
  EXPECT_THAT(Parse({"-T", "300"}),
              StatusIs(StatusCode::kInvalidArgument, "-T: '300' is out of range (0 to 255)"));
}

TEST_F(ParserTest, BadDurationNamesTheOption) {
  EXPECT_THAT(Parse({"--idle=soon"}),
              StatusIs(StatusCode::kInvalidArgument,
                       "--idle: invalid duration 'soon' (use e.g. 250ms, 5s, 2m, 1.5h)"));
}

TEST_F(ParserTest, HelpListsEveryOption) {
  std::string help = parser_.Help();
  EXPECT_THAT(help, HasSubstr("Usage: nc [-lkv] [-p PORT] HOST PORT\n       nc -l [-k] PORT\n"));
  EXPECT_THAT(help, HasSubstr("Read and write data across network connections.\n"));
  EXPECT_THAT(help, HasSubstr("  -l, --listen "));
  EXPECT_THAT(help, HasSubstr("  -k  "));
  EXPECT_THAT(help, HasSubstr("  -p, --port=PORT "));
  EXPECT_THAT(help, HasSubstr("  -T TOS "));
  EXPECT_THAT(help, HasSubstr("      --idle=DURATION "));
  EXPECT_THAT(help, HasSubstr("  -h, --help "));
  EXPECT_THAT(help, HasSubstr("      --version "));
  EXPECT_THAT(help, HasSubstr("Durations take a unit"));
  EXPECT_THAT(help, HasSubstr("Sizes take a binary unit"));
  EXPECT_THAT(help, HasSubstr("Exit status: 0 success, 1 runtime failure, 2 usage error.\n"));
}

TEST(ParserHelpTest, AnEpilogStatingTheExitStatusReplacesTheGenericLine) {
  Parser p(ToolInfo{"fmap find", {"FILE"}, "Find.", "Exit status: 0 if found, 1 if not, 2 usage error.", false});
  std::string help = p.Help();
  EXPECT_THAT(help, HasSubstr("\nExit status: 0 if found, 1 if not, 2 usage error.\n"));
  EXPECT_THAT(help, Not(HasSubstr("runtime failure")));
}

TEST_F(ParserTest, HelpAlignsDescriptions) {
  std::string help = parser_.Help();
  size_t listen = help.find("listen for an incoming connection");
  size_t port = help.find("local port");
  ASSERT_NE(listen, std::string::npos);
  ASSERT_NE(port, std::string::npos);
  EXPECT_EQ(listen - help.rfind('\n', listen), port - help.rfind('\n', port));
}

TEST(ParserHelpTest, ToolOwningShortHKeepsOnlyLongHelp) {
  bool human = false;
  Parser p(ToolInfo{"ls", {}, "", "", false});
  p.Flag('h', "human", "human-readable sizes", &human);
  absl::StatusOr<ParseResult> r = p.Parse({"ls", "-h"});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->action, ParseResult::Action::kRun);
  EXPECT_TRUE(human);
  EXPECT_THAT(p.Help(), HasSubstr("      --help "));
  EXPECT_THAT(p.Help(), ::testing::Not(HasSubstr("Durations")));
}

TEST(ParserHelpTest, VersionText) {
  Parser p(ToolInfo{"nc", {}, "", "", false});
  EXPECT_EQ(p.VersionText(), absl::StrCat("nc (ipckit) ", kVersion, "\n"));
}

TEST(ParserExitTest, HelpExitsZeroOnStdout) {
  Parser p(ToolInfo{"nc", {"HOST PORT"}, "", "", false});
  char arg0[] = "nc", arg1[] = "--help";
  char* argv[] = {arg0, arg1, nullptr};
  EXPECT_EXIT(
      {
        p.ParseOrExit(2, argv);
        exit(3);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(ParserExitTest, UsageErrorExitsTwoWithHint) {
  Parser p(ToolInfo{"nc", {"HOST PORT"}, "", "", false});
  char arg0[] = "nc", arg1[] = "-Z";
  char* argv[] = {arg0, arg1, nullptr};
  EXPECT_EXIT(p.ParseOrExit(2, argv), ::testing::ExitedWithCode(2),
              "^nc: invalid option -- 'Z'\nTry 'nc --help'.\n$");
}

TEST(ParserExitTest, AnErrorIsOneLine) {
  Parser p(ToolInfo{"fmap evict", {}, "", "", false});
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(p.Finish(absl::NotFoundError("open a\nb\x1b[31m: No such file"), {}), kExitFailure);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "fmap evict: open a\\x0ab\\x1b[31m: No such file\n");
}

TEST(ParserExitTest, UsageErrorAndFailReturnCodes) {
  Parser p(ToolInfo{"nc", {}, "", "", false});
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(p.UsageError(absl::InvalidArgumentError("cannot use -s and -l")), kExitUsage);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(),
            "nc: cannot use -s and -l\nTry 'nc --help'.\n");
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(p.Fail(absl::UnavailableError("connect 127.0.0.1:9: Connection refused")),
            kExitFailure);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(),
            "nc: connect 127.0.0.1:9: Connection refused\n");
}

}  // namespace
}  // namespace ipckit::cli
