#include "lib/hex/dump.h"

#include <string>

#include "gtest/gtest.h"

namespace ipckit::hex {
namespace {

TEST(HexDumperTest, HexdumpSqueezesAndEndsWithOffset) {
  std::string out;
  HexDumper d(HexDumper::Format::kHexdump, 0, &out);
  d.Write(std::string(40, '\0'));
  d.Write("Hi");
  d.Finish();
  EXPECT_EQ(out,
            "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n"
            "*\n"
            "00000020  00 00 00 00 00 00 00 00  48 69                    |........Hi|\n"
            "0000002a\n");
}

TEST(HexDumperTest, XxdLayout) {
  std::string out;
  HexDumper d(HexDumper::Format::kXxd, 3, &out);
  d.Write("lo\n");
  d.Finish();
  EXPECT_EQ(out, "00000003: 6c6f 0a                                  lo.\n");
}

TEST(HexDumperTest, EmptyInputPrintsNothing) {
  std::string out;
  HexDumper d(HexDumper::Format::kHexdump, 0, &out);
  d.Finish();
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace ipckit::hex
