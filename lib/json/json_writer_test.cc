#include "lib/json/json_writer.h"

#include <sstream>

#include "gtest/gtest.h"

namespace ipckit::json {
namespace {

TEST(JsonWriterTest, NestsWithCommas) {
  JsonWriter j;
  j.BeginObject()
      .Key("a").Int(-1)
      .Key("b").BeginArray().Uint(1).Bool(true).Null().BeginObject().EndObject().EndArray()
      .Key("c").BeginObject().Key("d").String("x").EndObject()
      .Key("e").Strings({"p", "q"})
      .Key("f").BeginArray().EndArray()
      .EndObject();
  EXPECT_EQ(j.str(), R"({"a":-1,"b":[1,true,null,{}],"c":{"d":"x"},"e":["p","q"],"f":[]})");
}

TEST(JsonWriterTest, EscapesStrings) {
  EXPECT_EQ(JsonQuote("a\"b\\c\n\t\r"), R"("a\"b\\c\n\t\r")");
  EXPECT_EQ(JsonQuote(std::string("\x01\x7f", 2)), R"("\u0001\u007f")");
  EXPECT_EQ(JsonQuote("caf\xc3\xa9 \xe2\x82\xac"), "\"caf\xc3\xa9 \xe2\x82\xac\"");
  // Not UTF-8: a lone continuation byte, a truncated sequence, an overlong
  // form and a surrogate are escaped byte by byte.
  EXPECT_EQ(JsonQuote("\x80"), R"("\u0080")");
  EXPECT_EQ(JsonQuote("\xc3"), R"("\u00c3")");
  EXPECT_EQ(JsonQuote("\xc0\xaf"), R"("\u00c0\u00af")");
  EXPECT_EQ(JsonQuote("\xed\xa0\x80"), R"("\u00ed\u00a0\u0080")");
}

TEST(JsonWriterTest, FormatsDoubles) {
  JsonWriter j;
  j.BeginArray().Double(1.5).Double(2.0).Double(0.12345).Double(1.0 / 0.0).Double(-0.0001).EndArray();
  EXPECT_EQ(j.str(), "[1.5,2,0.123,null,0]");
}

TEST(JsonWriterTest, StreamsPiecesAndFlushes) {
  std::ostringstream out;
  JsonWriter j;
  j.BeginObject().Key("offsets").BeginArray().Uint(1);
  j.FlushTo(out);
  EXPECT_EQ(j.str(), "");
  j.Uint(2).EndArray().Key("hex").BeginString().AppendString("ab").AppendString("c\"").EndString().EndObject();
  j.FlushTo(out);
  EXPECT_EQ(out.str(), R"({"offsets":[1,2],"hex":"abc\""})");
}

}  // namespace
}  // namespace ipckit::json
