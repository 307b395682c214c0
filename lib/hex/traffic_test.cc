#include "lib/hex/traffic.h"

#include <string>

#include "gtest/gtest.h"

namespace ipckit::hex {
namespace {

// Expected output is what ncat 7.93 --hex-dump wrote for the same bytes.
TEST(TrafficTest, NcatHexLinesAreNcats) {
  EXPECT_EQ(NcatHexLines("hello world\nsecond line is longer than sixteen\n"),
            "0000   68 65 6c 6c 6f 20 77 6f  72 6c 64 0a 73 65 63 6f  hello.world.seco\n"
            "0010   6e 64 20 6c 69 6e 65 20  69 73 20 6c 6f 6e 67 65  nd.line.is.longe\n"
            "0020   72 20 74 68 61 6e 20 73  69 78 74 65 65 6e 0a     r.than.sixteen. \n");
  EXPECT_EQ(NcatHexLines("abc\n"),
            "0000   61 62 63 0a                                       abc.            \n");
  EXPECT_EQ(NcatHexLines(""), "");
}

TEST(TrafficTest, SocatBlockIsSocatDashXv) {
  absl::Time t = absl::FromCivil(absl::CivilSecond(2026, 11, 30, 5, 50, 0), absl::LocalTimeZone()) +
                 absl::Microseconds(123456);
  // Hex is padded to 48 columns (16 bytes), then two spaces and the text.
  std::string want = "> 2026/11/30 05:50:00.123456  length=6 from=0 to=5\n";
  want += " 68 65 6c 6c 6f 0a" + std::string(30 + 2, ' ') + "hello.\n--\n";
  EXPECT_EQ(SocatBlock('>', t, 0, "hello\n"), want);
  want = "< 2026/11/30 05:50:00.123456  length=18 from=6 to=23\n";
  want += " 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66  0123456789abcdef\n";
  want += " 58 59" + std::string(42 + 2, ' ') + "XY\n--\n";
  EXPECT_EQ(SocatBlock('<', t, 6, "0123456789abcdefXY"), want);
}

}  // namespace
}  // namespace ipckit::hex
