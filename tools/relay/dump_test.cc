#include "tools/relay/dump.h"

#include <sys/socket.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/io/fd.h"

namespace ipckit::relay_tool {
namespace {

TEST(DumpTest, FormatsLikeSocatDashXv) {
  absl::Time t = absl::FromCivil(absl::CivilSecond(2026, 11, 30, 5, 50, 0), absl::LocalTimeZone()) +
                 absl::Microseconds(123456);
  // Hex is padded to 48 columns (16 bytes), then two spaces and the text.
  std::string want = "> 2026/11/30 05:50:00.123456  length=6 from=0 to=5\n";
  want += " 68 65 6c 6c 6f 0a" + std::string(30 + 2, ' ') + "hello.\n--\n";
  EXPECT_EQ(FormatDump('>', t, 0, "hello\n"), want);
  want = "< 2026/11/30 05:50:00.123456  length=18 from=6 to=23\n";
  want += " 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66  0123456789abcdef\n";
  want += " 58 59" + std::string(42 + 2, ' ') + "XY\n--\n";
  EXPECT_EQ(FormatDump('<', t, 6, "0123456789abcdefXY"), want);
}

TEST(DumpTest, StreamReportsEachReadWithRunningOffsets) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  io::UniqueFd peer(sv[0]);
  std::vector<std::string> blocks;
  DumpStream d(std::make_unique<io::FdStream>(io::UniqueFd(sv[1]), "client", io::FdStream::Kind::kSocket), '>',
               [&](const std::string& b) { blocks.push_back(b); });
  char buf[16];
  ASSERT_TRUE(io::WriteAll(peer.get(), "abc").ok());
  ASSERT_EQ(*d.Read(absl::MakeSpan(buf)), 3u);
  ASSERT_TRUE(io::WriteAll(peer.get(), "de").ok());
  ASSERT_EQ(*d.Read(absl::MakeSpan(buf)), 2u);
  peer.reset();
  ASSERT_EQ(*d.Read(absl::MakeSpan(buf)), 0u);  // EOF: no block.
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_THAT(blocks[0], ::testing::HasSubstr("length=3 from=0 to=2\n 61 62 63"));
  EXPECT_THAT(blocks[1], ::testing::HasSubstr("length=2 from=3 to=4\n 64 65"));
}

}  // namespace
}  // namespace ipckit::relay_tool
