#include "gtest/gtest.h"
#include "tools/echobench/echobench.h"

namespace ipckit::echobench {
namespace {

// A target is user input: in --json it is a JSON string, whatever it holds.
TEST(FormatTest, JsonQuotesTheTarget) {
  Options o;
  o.json = true;
  o.target = "a\"b\\c\n\x01";
  std::string json = Format(o, Report());
  EXPECT_EQ(json.rfind("{\"target\":\"a\\\"b\\\\c\\n\\u0001\",\"transport\":\"tcp\",", 0), 0u) << json;
}

}  // namespace
}  // namespace ipckit::echobench
