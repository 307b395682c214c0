#include "lib/tls/server_flight.h"

#include <string>

#include "gtest/gtest.h"

namespace ipckit::tls {
namespace {

std::string Record(uint8_t type, const std::string& body) {
  std::string r = {static_cast<char>(type), 3, 3, static_cast<char>(body.size() >> 8),
                   static_cast<char>(body.size())};
  return r + body;
}

std::string Handshake(uint8_t type, const std::string& body) {
  std::string h = {static_cast<char>(type), 0, static_cast<char>(body.size() >> 8), static_cast<char>(body.size())};
  return h + body;
}

// Hello12 is a TLS 1.2 ServerHello choosing `suite`, with renegotiation_info.
std::string Hello12(uint16_t suite) {
  std::string b = "\x03\x03" + std::string(32, 'r') + std::string("\x00", 1);
  b += {static_cast<char>(suite >> 8), static_cast<char>(suite), 0};
  b += std::string("\x00\x05\xff\x01\x00\x01\x00", 7);
  return Handshake(2, b);
}

TEST(ServerFlightTest, DheKeyExchangeSizeByteByByte) {
  std::string p(256, '\xff');  // A 2048-bit prime's length.
  std::string ske = std::string("\x01\x00", 2) + p + std::string("\x00\x01\x02", 3) + std::string("\x00\x01\x07", 3) +
                    std::string("\x04\x01\x00\x00", 4);
  std::string flight = Record(22, Hello12(0x009E) + Handshake(11, std::string("\x00\x00\x00", 3)) +
                                      Handshake(12, ske) + Handshake(14, ""));
  ServerFlightReader r;
  for (size_t i = 0; i + 1 < flight.size(); ++i) ASSERT_FALSE(r.Feed(flight.substr(i, 1))) << i;
  ASSERT_TRUE(r.Feed(flight.substr(flight.size() - 1)));
  EXPECT_EQ(r.flight().kind, ServerFlight::kServerHello);
  EXPECT_EQ(r.flight().suite, 0x009E);  // TLS_DHE_RSA_WITH_AES_128_GCM_SHA256
  EXPECT_EQ(r.flight().dh_bits, 2048);
  EXPECT_EQ(r.flight().signature_scheme, 0x0401);
  EXPECT_TRUE(r.flight().secure_renegotiation);
}

TEST(ServerFlightTest, AnAlert) {
  ServerFlightReader r;
  EXPECT_TRUE(r.Feed(Record(21, std::string("\x02\x28", 2))));
  EXPECT_EQ(r.flight().kind, ServerFlight::kAlert);
  EXPECT_EQ(r.flight().alert_level, 2);
  EXPECT_EQ(AlertName(r.flight().alert), "handshake_failure");
  EXPECT_EQ(AlertName(200), "alert 200");
}

// openssl s_server with -servername foo, asked for bar, warns
// unrecognized_name, then negotiates: a warning is not a refusal.
TEST(ServerFlightTest, AWarningAlertIsNotARefusal) {
  ServerFlightReader r;
  std::string flight = Record(21, std::string("\x01\x70", 2)) + Record(22, Hello12(0xC02F) + Handshake(14, ""));
  EXPECT_TRUE(r.Feed(flight));
  EXPECT_EQ(r.flight().kind, ServerFlight::kServerHello);
  EXPECT_EQ(r.flight().suite, 0xC02F);
  EXPECT_EQ(r.flight().warnings, std::vector<uint8_t>{112});
  EXPECT_EQ(AlertName(112), "unrecognized_name");
  ServerFlightReader closed;
  EXPECT_TRUE(closed.Feed(Record(21, std::string("\x01\x00", 2))));  // close_notify: the end.
  EXPECT_EQ(closed.flight().kind, ServerFlight::kAlert);
}

TEST(ServerFlightTest, NotTls) {
  ServerFlightReader r;
  EXPECT_TRUE(r.Feed("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_EQ(r.flight().kind, ServerFlight::kMalformed);
  EXPECT_EQ(r.flight().error, "not a TLS handshake or alert record (type 72, version 0x5454, length 20527)");
}

TEST(ServerFlightTest, EndsEarly) {
  ServerFlightReader silent;
  EXPECT_TRUE(silent.Feed(""));
  EXPECT_EQ(silent.flight().kind, ServerFlight::kIncomplete);
  EXPECT_EQ(silent.flight().error, "the connection ended without an answer");
  ServerFlightReader half;
  half.Feed(Record(22, Hello12(0xC02F)).substr(0, 20));
  half.Feed("");
  EXPECT_EQ(half.flight().error, "the connection ended in the middle of a record");
  ServerFlightReader accepted;
  EXPECT_FALSE(accepted.Feed(Record(22, Hello12(0xC02F))));
  EXPECT_TRUE(accepted.Feed(""));
  EXPECT_EQ(accepted.flight().kind, ServerFlight::kServerHello);
  EXPECT_EQ(accepted.flight().suite, 0xC02F);
  EXPECT_EQ(accepted.flight().error, "the connection ended before ServerHelloDone");
}

TEST(ServerFlightTest, MalformedMessages) {
  ServerFlightReader early;
  EXPECT_TRUE(early.Feed(Record(22, Handshake(11, std::string("\x00\x00\x00", 3)))));
  EXPECT_EQ(early.flight().error, "handshake message 11 before ServerHello");
  ServerFlightReader shorthello;
  EXPECT_TRUE(shorthello.Feed(Record(22, Handshake(2, "\x03\x03"))));
  EXPECT_EQ(shorthello.flight().error, "a short ServerHello");
  ServerFlightReader badext;
  std::string b = "\x03\x03" + std::string(32, 'r') + std::string("\x00\xc0\x2f\x00\x00\x09\xff\x01", 8);
  EXPECT_TRUE(badext.Feed(Record(22, Handshake(2, b))));
  EXPECT_EQ(badext.flight().error, "malformed ServerHello extensions");
}

}  // namespace
}  // namespace ipckit::tls
