#include "tools/nc/session_log.h"

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "lib/hex/traffic.h"
#include "lib/testing/temp_dir.h"

namespace ipckit::nc {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
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
  EXPECT_EQ(Slurp(hex), hex::NcatHexLines("ab"));
}

TEST(SessionLogTest, OpenNamesTheOption) {
  absl::StatusOr<std::unique_ptr<SessionLog>> log = SessionLog::Open("/nonexistent/o", "", false);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().message(), "--output /nonexistent/o: No such file or directory");
}

}  // namespace
}  // namespace ipckit::nc
