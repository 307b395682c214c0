#include "lib/hex/hex_forms.h"

#include <string>

#include "gtest/gtest.h"

namespace ipckit::hex {
namespace {

std::string Plain(const std::string& data, size_t piece) {
  std::string out;
  PlainHexWriter w(&out);
  for (size_t i = 0; i < data.size(); i += piece) w.Write(data.substr(i, piece));
  w.Finish();
  return out;
}

TEST(HexFormsTest, PlainIsThirtyBytesALineInAnyPieces) {
  EXPECT_EQ(Plain("", 1), "");
  EXPECT_EQ(Plain(std::string(31, '\0'), 7), std::string(60, '0') + "\n00\n");
  EXPECT_EQ(Plain("\x01\xab", 1), "01ab\n");
}

TEST(HexFormsTest, CIncludeAsXxd) {
  EXPECT_EQ(CIncludeName("1a-b.c"), "__1a_b_c");
  EXPECT_EQ(CIncludeName("dir/data.bin"), "dir_data_bin");
  std::string out;
  CIncludeWriter w("abc", &out);
  w.Write("ab");
  w.Write("c");
  w.Finish();
  EXPECT_EQ(out, "unsigned char abc[] = {\n  0x61, 0x62, 0x63\n};\nunsigned int abc_len = 3;\n");
  out.clear();
  CIncludeWriter empty("empty_bin", &out);
  empty.Finish();
  EXPECT_EQ(out, "unsigned char empty_bin[] = {\n};\nunsigned int empty_bin_len = 0;\n");
  out.clear();
  CIncludeWriter bare("", &out);
  bare.Write(std::string(13, '\0'));
  bare.Finish();
  EXPECT_EQ(out, "  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,\n  0x00\n");
}

std::string Xxd(const XxdLayout& l, uint64_t start, const std::string& data) {
  std::string out;
  XxdWriter w(l, start, &out);
  w.Write(data);
  w.Finish();
  return out;
}

TEST(HexFormsTest, XxdLayouts) {
  XxdLayout l;
  l.cols = 8;
  l.group = 4;
  l.upper = true;
  EXPECT_EQ(Xxd(l, 0, "Hello, w"), "00000000: 48656C6C 6F2C2077  Hello, w\n");
  XxdLayout e;
  e.little_endian = true;
  e.group = 4;
  EXPECT_EQ(Xxd(e, 0x20, "ij"), "00000020:     6a69                             ij\n");
  XxdLayout b;
  b.bits = true;
  b.cols = 4;
  b.group = 1;
  EXPECT_EQ(Xxd(b, 0x1c, "ef"), "0000001c: 01100101 01100110                    ef\n");
  EXPECT_EQ(Xxd(XxdLayout(), 0, ""), "");
}

}  // namespace
}  // namespace ipckit::hex
