#include "tools/fmap/file_list.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"
#include "lib/testing/temp_dir.h"

namespace ipckit::fmap {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::StatusIs;

TEST(FileListTest, DirectoriesNeedRAndAreWalkedSorted) {
  absl::StatusOr<testing::TempDir> d = testing::TempDir::Create();
  ASSERT_THAT(d, IsOk());
  ::mkdir(d->Path("t").c_str(), 0700);
  ::mkdir(d->Path("t/sub").c_str(), 0700);
  for (const char* f : {"t/b", "t/a", "t/sub/c"}) std::ofstream(d->Path(f)) << "x";
  ASSERT_EQ(::symlink(d->Path("t/a").c_str(), d->Path("t/link").c_str()), 0);
  FileListOptions o;
  EXPECT_THAT(ExpandFiles({d->Path("t")}, o),
              StatusIs(absl::StatusCode::kInvalidArgument, d->Path("t") + ": Is a directory (give -r to go through it)"));
  o.recursive = true;
  EXPECT_THAT(ExpandFiles({d->Path("t"), "-"}, o),
              IsOkAndHolds(std::vector<std::string>{d->Path("t/a"), d->Path("t/b"), d->Path("t/sub/c"), "-"}));
}

TEST(FileListTest, AWalkListsWhatItSkips) {
  absl::StatusOr<testing::TempDir> d = testing::TempDir::Create();
  ASSERT_THAT(d, IsOk());
  ::mkdir(d->Path("t").c_str(), 0700);
  std::ofstream(d->Path("t/a")) << "x";
  ASSERT_EQ(::mkfifo(d->Path("t/fifo").c_str(), 0600), 0);
  ASSERT_EQ(::symlink("loop", d->Path("t/loop").c_str()), 0);  // Points at itself.
  FileListOptions o;
  o.recursive = true;
  std::vector<std::string> skipped;
  EXPECT_THAT(ExpandFiles({d->Path("t")}, o, &skipped), IsOkAndHolds(std::vector<std::string>{d->Path("t/a")}));
  EXPECT_EQ(skipped, (std::vector<std::string>{d->Path("t/fifo") + ": a FIFO",
                                               d->Path("t/loop") + ": a symbolic link (not followed)"}));
}

TEST(FileListTest, FilesFromLinesOrNul) {
  absl::StatusOr<testing::TempDir> d = testing::TempDir::Create();
  ASSERT_THAT(d, IsOk());
  std::ofstream(d->Path("list")) << "x\ny y\n\n";
  std::ofstream(d->Path("list0"), std::ios::binary) << std::string("p\nq\0r\0", 6);
  FileListOptions o;
  o.files_from = d->Path("list");
  EXPECT_THAT(ExpandFiles({"a"}, o), IsOkAndHolds(std::vector<std::string>{"a", "x", "y y"}));
  o.files_from = d->Path("list0");
  o.null_separated = true;
  EXPECT_THAT(ExpandFiles({}, o), IsOkAndHolds(std::vector<std::string>{"p\nq", "r"}));
  o.files_from = d->Path("missing");
  EXPECT_THAT(ExpandFiles({}, o), StatusIs(absl::StatusCode::kNotFound, "--files-from " + d->Path("missing") +
                                                                           ": No such file or directory"));
  EXPECT_THAT(ExpandFiles({}, FileListOptions()), StatusIs(absl::StatusCode::kInvalidArgument, "no files"));
}

}  // namespace
}  // namespace ipckit::fmap
