#include "tools/echod/services.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ipckit::echod {
namespace {

TEST(ServicesTest, ChargenRotatesThePattern) {
  uint64_t line = 0;
  std::string two = Chargen(2, &line);
  EXPECT_EQ(line, 2u);
  EXPECT_EQ(two.substr(0, 74), "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\r\n");
  EXPECT_EQ(two.substr(74, 3), "\"#$");
  line = 94;
  EXPECT_EQ(Chargen(1, &line), two.substr(0, 74));  // The pattern repeats every 94 lines.
}

TEST(ServicesTest, DaytimeIsOneUtcLine) {
  EXPECT_THAT(Daytime(), ::testing::MatchesRegex("[A-Z][a-z]+day, [A-Z][a-z]+ [0-9]{2}, [0-9]{4} "
                                                 "[0-9]{2}:[0-9]{2}:[0-9]{2}-UTC\r\n"));
}

}  // namespace
}  // namespace ipckit::echod
