#include "lib/net/listening_line.h"

#include "gtest/gtest.h"

namespace ipckit::net {
namespace {

TEST(ListeningLineTest, ReadsIpckitLines) {
  EXPECT_EQ(ListeningAddress("listening on 127.0.0.1:4000 (tcp)"), "127.0.0.1:4000");
  EXPECT_EQ(ListeningAddress("nc: listening on [::1]:5\n"), "[::1]:5");
  EXPECT_EQ(ListeningAddress("listening on /tmp/e.sock (unix+tls)"), "/tmp/e.sock");
}

TEST(ListeningLineTest, ReadsSocatLines) {
  EXPECT_EQ(ListeningAddress("2026/12/07 04:38:20 socat[15899] N listening on AF=2 0.0.0.0:58117"), "0.0.0.0:58117");
  EXPECT_EQ(ListeningAddress("socat[1] N listening on AF=10 [0000:0000:0000:0000:0000:0000:0000:0001]:5"),
            "[0000:0000:0000:0000:0000:0000:0000:0001]:5");
  EXPECT_EQ(ListeningAddress("socat[1] N listening on AF=1 \"/tmp/a b.sock\""), "/tmp/a b.sock");
}

TEST(ListeningLineTest, ReadsNetcatOpenbsdLines) {
  EXPECT_EQ(ListeningAddress("Listening on localhost 41234"), "localhost:41234");
  EXPECT_EQ(ListeningAddress("Listening on 127.0.0.1 41234\n"), "127.0.0.1:41234");
  EXPECT_EQ(ListeningAddress("Bound on :: 41234"), "[::]:41234");
  EXPECT_EQ(ListeningAddress("Listening on s.sock"), "s.sock");
  EXPECT_EQ(ListeningAddress("Bound on /tmp/d d.sock"), "/tmp/d d.sock");
}

TEST(ListeningLineTest, IgnoresOtherLines) {
  EXPECT_EQ(ListeningAddress("ready"), "");
  EXPECT_EQ(ListeningAddress("Connection received on localhost 5"), "");
  EXPECT_EQ(ListeningAddress("  Listening on x 1"), "");
}

}  // namespace
}  // namespace ipckit::net
