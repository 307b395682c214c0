#include "lib/http/request.h"

#include <string>

#include "gtest/gtest.h"

namespace ipckit::http {
namespace {

TEST(RequestTest, ParsesARequestWithABodyAndLeavesTheNextOne) {
  std::string first = "POST /proxies?x=1 HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                      "Content-Length: 7\r\n\r\n{\"a\":1}";
  Parsed p = ParseRequest(first + "GET /version HTTP/1.1\r\n\r\n");
  ASSERT_EQ(p.kind, Parsed::kRequest) << p.error;
  EXPECT_EQ(p.consumed, first.size());
  EXPECT_EQ(p.request.method, "POST");
  EXPECT_EQ(p.request.path, "/proxies");
  EXPECT_EQ(p.request.query, "x=1");
  EXPECT_EQ(p.request.body, "{\"a\":1}");
  ASSERT_NE(p.request.Header("content-type"), nullptr);
  EXPECT_EQ(*p.request.Header("content-type"), "application/json");
  EXPECT_TRUE(p.request.keep_alive);
}

TEST(RequestTest, EveryPrefixIsIncomplete) {
  std::string whole = "POST /reset HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}";
  for (size_t n = 0; n < whole.size(); ++n) {
    EXPECT_EQ(ParseRequest(whole.substr(0, n)).kind, Parsed::kIncomplete) << n;
  }
  EXPECT_EQ(ParseRequest(whole).kind, Parsed::kRequest);
}

TEST(RequestTest, ConnectionCloseAndHttp10) {
  EXPECT_FALSE(ParseRequest("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").request.keep_alive);
  EXPECT_FALSE(ParseRequest("GET / HTTP/1.0\r\n\r\n").request.keep_alive);
  EXPECT_TRUE(ParseRequest("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").request.keep_alive);
}

TEST(RequestTest, RefusalsSayWhyWithTheirStatus) {
  struct Case {
    std::string input;
    int status;
    std::string error;
  } cases[] = {
      {"GET /\r\n\r\n", 400, "malformed request line 'GET /'"},
      {"GET proxies HTTP/1.1\r\n\r\n", 400, "malformed request line 'GET proxies HTTP/1.1'"},
      {"GET / HTTP/2.0\r\n\r\n", 505, "unsupported version 'HTTP/2.0'"},
      {"GET / HTTP/1.1\r\nno colon\r\n\r\n", 400, "malformed header line 'no colon'"},
      {"GET / HTTP/1.1\r\n folded: x\r\n\r\n", 400, "malformed header line ' folded: x'"},
      {"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "Content-Length '-1' is not a number"},
      {"POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n", 400, "two different Content-Length headers"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501,
       "Transfer-Encoding is not supported: send Content-Length"},
      {"POST / HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n", 413, "body of 1048577 bytes (at most 1048576)"},
  };
  for (const Case& c : cases) {
    Parsed p = ParseRequest(c.input);
    EXPECT_EQ(p.kind, Parsed::kError) << c.input;
    EXPECT_EQ(p.status, c.status) << c.input;
    EXPECT_EQ(p.error, c.error) << c.input;
  }
}

TEST(RequestTest, AHeadPastTheLimitIsRefusedBeforeItEnds) {
  Limits l;
  l.max_head = 64;
  Parsed p = ParseRequest("GET / HTTP/1.1\r\nX: " + std::string(100, 'a'), l);
  EXPECT_EQ(p.kind, Parsed::kError);
  EXPECT_EQ(p.status, 431);
  EXPECT_EQ(p.error, "request head over 64 bytes");
}

TEST(RequestTest, FormatResponse) {
  EXPECT_EQ(FormatResponse(404, "application/json", "{}", false),
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_EQ(FormatResponse(204, "application/json", "", true), "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
}

}  // namespace
}  // namespace ipckit::http
