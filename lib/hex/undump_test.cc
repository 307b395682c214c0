#include "lib/hex/undump.h"

#include <algorithm>
#include <string>

#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::hex {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;

absl::StatusOr<std::string> Undump(Undumper::Format f, const std::string& text, size_t piece = 7) {
  std::string out;
  Undumper u(f, [&](absl::string_view b) {
    out.append(b.data(), b.size());
    return absl::OkStatus();
  });
  for (size_t i = 0; i < text.size(); i += piece) {
    absl::Status s = u.Write(text.substr(i, piece));
    if (!s.ok()) return s;
  }
  absl::Status s = u.Finish();
  if (!s.ok()) return s;
  return out;
}

TEST(UndumpTest, Plain) {
  EXPECT_EQ(*Undump(Undumper::Format::kPlain, "4865\n6C6c6f0a"), "Hello\n");
  EXPECT_THAT(Undump(Undumper::Format::kPlain, "486"),
              StatusIs(absl::StatusCode::kInvalidArgument, "odd number of hex digits"));
  EXPECT_THAT(Undump(Undumper::Format::kPlain, "48\nzz"),
              StatusIs(absl::StatusCode::kInvalidArgument, "line 2: invalid hex digit 'z'"));
}

TEST(UndumpTest, XxdWithGapsFilled) {
  EXPECT_EQ(*Undump(Undumper::Format::kXxd,
                    "00000000: 4865 6c6c 6f20 776f 726c 640a 4865 6c6c  Hello world.Hell\n"
                    "00000010: 6f0a                                     o.\n"),
            "Hello world\nHello\n");
  EXPECT_EQ(*Undump(Undumper::Format::kXxd, "00000004: 41  A\n"), std::string(4, '\0') + "A");
  EXPECT_THAT(Undump(Undumper::Format::kXxd, "00000004: 4142  AB\n00000002: 41  A\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, "line 2: offset 0x2 is before the bytes so far (0x6)"));
}

TEST(UndumpTest, HexdumpWithSqueezedLines) {
  std::string zeros =
      "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n"
      "*\n"
      "00000040  41 42 43 44 45 46 47 48  49                       |ABCDEFGHI|\n"
      "00000049\n";
  EXPECT_EQ(*Undump(Undumper::Format::kHexdump, zeros, 5), std::string(64, '\0') + "ABCDEFGHI");
  EXPECT_EQ(*Undump(Undumper::Format::kHexdump,
                    "00000000  61 62 63 64 65 66 67 68  |abcdefgh|\n00000008\n"),
            "abcdefgh");
}

TEST(UndumpTest, LongSqueezedRunComesInBoundedPieces) {
  size_t biggest = 0, total = 0;
  Undumper u(Undumper::Format::kHexdump, [&](absl::string_view b) {
    biggest = std::max(biggest, b.size());
    total += b.size();
    return absl::OkStatus();
  });
  ASSERT_THAT(u.Write("00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n"
                      "40000000\n"),
              IsOk());
  ASSERT_THAT(u.Finish(), IsOk());
  EXPECT_EQ(total, size_t{1} << 30);
  EXPECT_LE(biggest, 64u * 1024);
}

}  // namespace
}  // namespace ipckit::hex
