#include "lib/json/json_reader.h"

#include "gtest/gtest.h"
#include "lib/json/json_writer.h"
#include "lib/testing/status_matchers.h"

namespace ipckit::json {
namespace {

using ::ipckit::testing::IsOk;
using ::ipckit::testing::StatusIs;

TEST(JsonReaderTest, ReadsEveryType) {
  absl::StatusOr<Value> v = ParseJson(R"( {"a": [1, -2.5e1, true, false, null], "s": "x\"\u00e9\ud83d\ude00",
                                           "o": {}, "e": [] } )");
  ASSERT_THAT(v, IsOk());
  ASSERT_TRUE(v->is_object());
  const Value* a = v->Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->array().size(), 5u);
  EXPECT_EQ(a->array()[0].number(), 1);
  EXPECT_EQ(a->array()[1].number(), -25);
  EXPECT_TRUE(a->array()[2].boolean());
  EXPECT_TRUE(a->array()[3].is_bool());
  EXPECT_TRUE(a->array()[4].is_null());
  EXPECT_EQ(v->Find("s")->string(), "x\"\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_TRUE(v->Find("o")->is_object());
  EXPECT_TRUE(v->Find("e")->array().empty());
  EXPECT_EQ(v->Find("missing"), nullptr);
}

TEST(JsonReaderTest, ReadsWhatJsonWriterWrites) {
  JsonWriter w;
  w.BeginObject().Key("k\n\"").String("v\x01\\").Key("n").Int(-7).EndObject();
  absl::StatusOr<Value> v = ParseJson(w.str());
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->object()[0].first, "k\n\"");
  EXPECT_EQ(v->object()[0].second.string(), "v\x01\\");
  EXPECT_EQ(v->Find("n")->number(), -7);
}

TEST(JsonReaderTest, ErrorsSayWhere) {
  EXPECT_THAT(ParseJson("{\n  \"a\": 1\n  \"b\": 2}"),
              StatusIs(absl::StatusCode::kInvalidArgument, "line 3 column 3: expected ',' or '}' in an object"));
  EXPECT_THAT(ParseJson("[1,]"), StatusIs(absl::StatusCode::kInvalidArgument, "line 1 column 4: expected a value"));
  EXPECT_THAT(ParseJson(""), StatusIs(absl::StatusCode::kInvalidArgument,
                                      "line 1 column 1: expected a value, found the end"));
  EXPECT_THAT(ParseJson("\"abc"), StatusIs(absl::StatusCode::kInvalidArgument,
                                           "line 1 column 5: an unterminated string"));
  EXPECT_THAT(ParseJson("\"\\ud800x\""), StatusIs(absl::StatusCode::kInvalidArgument,
                                                  "line 1 column 8: an unpaired surrogate"));
  EXPECT_THAT(ParseJson("{} x"), StatusIs(absl::StatusCode::kInvalidArgument,
                                          "line 1 column 4: unexpected text after the value"));
  EXPECT_THAT(ParseJson("01"), StatusIs(absl::StatusCode::kInvalidArgument,
                                        "line 1 column 2: unexpected text after the value"));
  EXPECT_THAT(ParseJson(std::string(65, '[') + std::string(65, ']')),
              StatusIs(absl::StatusCode::kInvalidArgument, "line 1 column 65: nested more than 64 deep"));
  EXPECT_THAT(ParseJson(std::string(64, '[') + std::string(64, ']')), IsOk());
}

}  // namespace
}  // namespace ipckit::json
