// fmap's tool contract: each command's Plan is made from argv (DeclareX,
// then ValidateX) without reading, listing or opening a file: every path
// below names nothing, and only Run would find that out.
#include "tools/fmap/commands.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/testing/argv.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::fmap {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;

using ::ipckit::testing::CommandPlan;

TEST(CommandsTest, FilesPatternsAndPageListsWaitForRun) {
  absl::StatusOr<FindPlan> find = CommandPlan("fmap find", DeclareFind, ValidateFind,
                                           {"--pattern-file", "/nonexistent/p", "-r", "--files-from", "/nonexistent/list",
                                            "--mask", "ff 0f", "--first", "/nonexistent/dir"});
  ASSERT_THAT(find, IsOk());
  EXPECT_EQ(*find->pattern.file, "/nonexistent/p");  // Read by RunFind.
  EXPECT_EQ(*find->mask, "\xff\x0f");
  EXPECT_EQ(find->find.mode, FindOptions::Mode::kFirst);
  EXPECT_EQ(find->files.args, std::vector<std::string>{"/nonexistent/dir"});
  EXPECT_TRUE(find->files.list.recursive);
  absl::StatusOr<TouchPlan> touch = CommandPlan("fmap touch", DeclareTouch, ValidateTouch,
                                             {"--pages-from", "/nonexistent/ranges", "/nonexistent/f"});
  ASSERT_THAT(touch, IsOk());
  EXPECT_TRUE(touch->touch);
  EXPECT_EQ(*touch->pages.pages_from, "/nonexistent/ranges");
  absl::StatusOr<TouchPlan> evict = CommandPlan("fmap evict", DeclareTouch, ValidateTouch, {"--pages", "0-3,8", "f"});
  ASSERT_THAT(evict, IsOk());
  EXPECT_FALSE(evict->touch);
  EXPECT_EQ(evict->pages.pages->size(), 2u);
  absl::StatusOr<WritePlan> write = CommandPlan("fmap write", DeclareWrite, ValidateWrite,
                                             {"--write", "--offset", "4K", "--hex", "de ad", "/nonexistent/f"});
  ASSERT_THAT(write, IsOk());
  EXPECT_EQ(write->data.bytes, "\xde\xad");
  EXPECT_EQ(write->write.offset, 4096u);
  absl::StatusOr<DumpPlan> dump = CommandPlan("fmap dump", DeclareDump, ValidateDump,
                                           {"-s", "-16", "-f", "xxd", "-c", "8", "-e", "/nonexistent/f"});
  ASSERT_THAT(dump, IsOk());
  EXPECT_TRUE(dump->dump.skip_from_end);
  EXPECT_EQ(dump->dump.skip, 16u);
  EXPECT_EQ(dump->dump.layout->cols, 8);
  EXPECT_EQ(dump->dump.layout->group, 4);
  ASSERT_THAT(CommandPlan("fmap lock", DeclareLock, ValidateLock, {"-d", "--pidfile", "/nonexistent/pid", "f"}), IsOk());
  ASSERT_THAT(CommandPlan("fmap sum", DeclareSum, ValidateSum, {"--files-from", "/nonexistent/list"}), IsOk());
}

TEST(CommandsTest, UsageErrorsBeforeAnythingIsRead) {
  EXPECT_THAT(CommandPlan("fmap info", DeclareInfo, ValidateInfo, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, "missing FILE"));
  EXPECT_THAT(CommandPlan("fmap find", DeclareFind, ValidateFind, {"--string", "a", "--hex", "61", "f"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "give exactly one of --string, --hex and --pattern-file"));
  EXPECT_THAT(CommandPlan("fmap find", DeclareFind, ValidateFind, {"--string", "a", "--mask", "f", "f"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "--mask: odd number of hex digits"));
  EXPECT_THAT(CommandPlan("fmap find", DeclareFind, ValidateFind, {"--string", "a", "--first", "--count", "f"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "give at most one of --first, --last and --count"));
  EXPECT_THAT(CommandPlan("fmap dump", DeclareDump, ValidateDump, {"-c", "8", "f"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "-c, -g, -u, -e and -b are for --format=xxd (and -c, -u plain)"));
  EXPECT_THAT(CommandPlan("fmap dump", DeclareDump, ValidateDump, {"-s", "x", "f"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "-s: invalid size 'x' (use e.g. 512, 64K, 1M, 2G)"));
  EXPECT_THAT(CommandPlan("fmap touch", DeclareTouch, ValidateTouch, {"--pages", "1", "--pages-from", "r", "f"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "--pages and --pages-from conflict"));
  EXPECT_THAT(CommandPlan("fmap lock", DeclareLock, ValidateLock, {"--pidfile", "p", "f"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "--pidfile needs --daemon"));
  EXPECT_THAT(CommandPlan("fmap resize", DeclareResize, ValidateResize, {"--write", "f"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "expected --size N and one FILE"));
  EXPECT_THAT(CommandPlan("fmap advise", DeclareAdvise, ValidateAdvise, {"f"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "missing --advice"));
  EXPECT_THAT(CommandPlan("fmap undump", DeclareUndump, ValidateUndump, {"a", "b"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "expected at most one FILE"));
  EXPECT_THAT(CommandPlan("fmap write", DeclareWrite, ValidateWrite, {"--write", "f"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "give exactly one of --string, --hex and --from"));
  EXPECT_THAT(CommandPlan("fmap sync", DeclareSync, ValidateSync, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, "missing FILE"));
}

}  // namespace
}  // namespace ipckit::fmap
