#include "lib/cli/subcommands.h"

#include "gtest/gtest.h"

namespace ipckit::cli {
namespace {

int Echo(int argc, char** argv) { return argc * 10 + static_cast<int>(argv[0][0] - 'a'); }

constexpr Subcommand kTable[] = {
    {"info", "FILE...", "size and type", Echo},
    {"find", "(--string S | --hex HEX)\n[--first] FILE...", "byte offsets of a pattern", Echo},
    {"sync", "", "flush", Echo},
};

TEST(SubcommandsTest, HelpListsEveryCommand) {
  EXPECT_EQ(CommandsHelp(kTable),
            "Commands:\n"
            "  info FILE...      size and type\n"
            "  find (--string S | --hex HEX)\n"
            "       [--first] FILE...\n"
            "                    byte offsets of a pattern\n"
            "  sync              flush\n");
}

TEST(SubcommandsTest, DispatchRunsTheNamedCommandWithShiftedArgv) {
  char tool[] = "fmap", cmd[] = "find", arg[] = "x";
  char* argv[] = {tool, cmd, arg, nullptr};
  EXPECT_EQ(Dispatch({"fmap", {}, "", "", true}, kTable, 3, argv), 2 * 10 + ('f' - 'a'));
}

TEST(SubcommandsTest, UnknownOrMissingCommandIsAUsageError) {
  char tool[] = "fmap", cmd[] = "frobnicate";
  char* argv[] = {tool, cmd, nullptr};
  testing::internal::CaptureStderr();
  EXPECT_EQ(Dispatch({"fmap", {}, "", "", true}, kTable, 2, argv), kExitUsage);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "fmap: unknown command 'frobnicate'\nTry 'fmap --help'.\n");
  testing::internal::CaptureStderr();
  EXPECT_EQ(Dispatch({"fmap", {}, "", "", true}, kTable, 1, argv), kExitUsage);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "fmap: missing command\nTry 'fmap --help'.\n");
}

}  // namespace
}  // namespace ipckit::cli
