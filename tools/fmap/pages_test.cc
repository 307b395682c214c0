#include "tools/fmap/pages.h"

#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::fmap {
namespace {

using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::StatusIs;
using mmap::PageRun;

TEST(PagesTest, ParsesAndMerges) {
  EXPECT_THAT(ParsePages("10-12,0-1,2,11-20"), IsOkAndHolds(std::vector<PageRun>{{0, 3}, {10, 11}}));
  EXPECT_THAT(ParsePages("3-1"), StatusIs(absl::StatusCode::kInvalidArgument, "--pages: expected A-B[,C-D...], got '3-1'"));
  EXPECT_THAT(ParsePages("x"), StatusIs(absl::StatusCode::kInvalidArgument, "--pages: expected A-B[,C-D...], got 'x'"));
}

TEST(PagesTest, ReadsResidencyRangesOutput) {
  EXPECT_THAT(ParseRangesOutput("f: 3 of 9 pages resident (33.3%), 12288 bytes\n  0+8192 (pages 0-1)\n"
                                "  20480+4096 (pages 5-5)\n"),
              IsOkAndHolds(std::vector<PageRun>{{0, 2}, {5, 1}}));
  EXPECT_THAT(ParseRangesOutput(R"({"file":"f","ranges":[{"offset":0,"length":4096,"first_page":7,"pages":2}]})"),
              IsOkAndHolds(std::vector<PageRun>{{7, 2}}));
  EXPECT_THAT(ParseRangesOutput("nothing"), StatusIs(absl::StatusCode::kInvalidArgument, "--pages-from: no page ranges"));
}

TEST(PagesTest, BytesAndCounts) {
  ByteRange b = PageBytes({2, 3}, 4096, 10000);
  EXPECT_EQ(b.offset, 8192u);
  EXPECT_EQ(b.length, 10000u - 8192u);
  EXPECT_EQ(PageBytes({9, 1}, 4096, 10000).length, 0u);
  EXPECT_EQ(Count({{0, 2}, {5, 10}}, 8, {{1, 5}}), (std::pair<uint64_t, uint64_t>{5, 2}));
}

}  // namespace
}  // namespace ipckit::fmap
