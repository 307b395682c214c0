#include "tools/nc/session_log.h"

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "lib/testing/temp_dir.h"

namespace ipckit::nc {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Expected output is what ncat 7.93 --hex-dump wrote for the same bytes.
TEST(SessionLogTest, HexDumpIsNcats) {
  EXPECT_EQ(HexDump("hello world\nsecond line is longer than sixteen\n"),
            "0000   68 65 6c 6c 6f 20 77 6f  72 6c 64 0a 73 65 63 6f  hello.world.seco\n"
            "0010   6e 64 20 6c 69 6e 65 20  69 73 20 6c 6f 6e 67 65  nd.line.is.longe\n"
            "0020   72 20 74 68 61 6e 20 73  69 78 74 65 65 6e 0a     r.than.sixteen. \n");
  EXPECT_EQ(HexDump("abc\n"),
            "0000   61 62 63 0a                                       abc.            \n");
}

TEST(SessionLogTest, RecordsRawAndHexAndAppends) {
  absl::StatusOr<testing::TempDir> dir = testing::TempDir::Create();
  ASSERT_TRUE(dir.ok()) << dir.status();
  std::string raw = dir->Path("o.txt"), hex = dir->Path("h.txt");
  {
    std::unique_ptr<SessionLog> log = *SessionLog::Open(raw, hex, false);
    ASSERT_TRUE(log->Record("ab").ok());
  }
  {
    std::unique_ptr<SessionLog> log = *SessionLog::Open(raw, "", true);
    ASSERT_TRUE(log->Record("cd").ok());
  }
  EXPECT_EQ(Slurp(raw), "abcd");
  EXPECT_EQ(Slurp(hex), HexDump("ab"));
}

TEST(SessionLogTest, OpenNamesTheOption) {
  absl::StatusOr<std::unique_ptr<SessionLog>> log = SessionLog::Open("/nonexistent/o", "", false);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().message(), "--output /nonexistent/o: No such file or directory");
}

}  // namespace
}  // namespace ipckit::nc
