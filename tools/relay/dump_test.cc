#include "tools/relay/dump.h"

#include <sys/socket.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/io/fd.h"

namespace ipckit::relay_tool {
namespace {

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
