#include "lib/tls/tls_stream.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>

#include <string>
#include <chrono>
#include <functional>
#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/io/fd.h"
#include "lib/net/socket.h"
#include "lib/testing/runfiles.h"
#include "lib/testing/status_matchers.h"
#include "lib/tls/handshake_info.h"

namespace ipckit::tls {
namespace {

using ::ipckit::net::Listener;
using ::ipckit::net::Socket;
using ::ipckit::net::SocketAddress;
using ::ipckit::testing::IsOk;
using ::ipckit::testing::IsOkAndHolds;
using ::ipckit::testing::StatusIs;

std::string Cert(const std::string& name) { return *ipckit::testing::Runfile("testdata/tls/" + name); }

absl::Time Deadline() { return absl::Now() + absl::Seconds(10); }

TlsClientParams Params(std::string verify_name, std::string server_name = "",
                       SSL_SESSION* session = nullptr) {
  TlsClientParams p;
  p.verify_name = std::move(verify_name);
  p.server_name = std::move(server_name);
  p.session = session;
  return p;
}

TlsOptions ServerOptions(const std::string& name = "server") {
  TlsOptions o;
  o.cert_file = Cert(name + ".pem");
  o.key_file = Cert(name + ".key");
  return o;
}

TlsOptions ClientOptions() {
  TlsOptions o;
  o.ca_file = Cert("ca.pem");
  return o;
}

void WaitFor(const TlsStream& s, uint32_t events) {
  struct pollfd p = {s.fd(), 0, 0};
  if (events & selector::kReadable) p.events |= POLLIN;
  if (events & selector::kWritable) p.events |= POLLOUT;
  ::poll(&p, 1, 10000);
}

// ReadAll reads until EOF or an error, returning what arrived.
absl::StatusOr<std::string> ReadAll(TlsStream& s) {
  std::string out;
  char buf[16384];
  while (true) {
    absl::StatusOr<size_t> n = s.Read(absl::MakeSpan(buf));
    if (n.ok() && *n == 0) return out;
    if (n.ok()) {
      out.append(buf, *n);
      continue;
    }
    if (!absl::IsUnavailable(n.status())) return n.status();
    WaitFor(s, s.ReadWaitsFor());
  }
}

absl::Status WriteAllTo(TlsStream& s, absl::string_view data) {
  while (!data.empty()) {
    absl::StatusOr<size_t> n = s.Write(data);
    if (n.ok()) {
      data.remove_prefix(*n);
      continue;
    }
    if (!absl::IsUnavailable(n.status())) return n.status();
    WaitFor(s, s.WriteWaitsFor());
  }
  while (true) {
    absl::Status st = s.CloseWrite();
    if (!absl::IsUnavailable(st)) return st;
    WaitFor(s, s.WriteWaitsFor());
  }
}

// Conn is one client/server pair over loopback TCP after both handshakes
// ran (each status kept).
struct Conn {
  std::unique_ptr<TlsStream> client, server;
  absl::Status client_status, server_status;
};

class TlsPair {
 public:
  explicit TlsPair(const TlsOptions& server_options) {
    absl::StatusOr<TlsContext> ctx = TlsContext::Server(server_options);
    EXPECT_THAT(ctx, IsOk());
    server_ctx_ = std::make_unique<TlsContext>(*std::move(ctx));
    absl::StatusOr<Listener> l = Listener::Listen(*SocketAddress::Numeric("127.0.0.1", 0), {});
    EXPECT_THAT(l, IsOk());
    listener_ = std::make_unique<Listener>(*std::move(l));
  }

  // Connect runs both handshakes; `server_work` runs on the server side
  // after its handshake succeeds.
  Conn Connect(const TlsOptions& client_options, TlsClientParams params,
               std::function<void(TlsStream&)> server_work = nullptr) {
    Conn c;
    std::thread server([&] {
      absl::StatusOr<Socket> s = listener_->Accept();
      if (!s.ok()) {
        c.server_status = s.status();
        return;
      }
      absl::StatusOr<std::unique_ptr<TlsStream>> tls = TlsStream::Server(*server_ctx_, s->Release());
      if (!tls.ok()) {
        c.server_status = tls.status();
        return;
      }
      c.server = *std::move(tls);
      c.server_status = c.server->HandshakeUntil(Deadline());
      if (c.server_status.ok() && server_work) server_work(*c.server);
    });
    absl::StatusOr<TlsContext> ctx = TlsContext::Client(client_options);
    EXPECT_THAT(ctx, IsOk());
    client_ctx_ = std::make_unique<TlsContext>(*std::move(ctx));
    absl::StatusOr<Socket> sock = ipckit::net::Connect({listener_->address()}, {});
    EXPECT_THAT(sock, IsOk());
    absl::StatusOr<std::unique_ptr<TlsStream>> tls = TlsStream::Client(*client_ctx_, sock->Release(), params);
    EXPECT_THAT(tls, IsOk());
    c.client = *std::move(tls);
    c.client_status = c.client->HandshakeUntil(Deadline());
    if (!c.client_status.ok()) c.client.reset();  // Unblocks the server.
    server.join();
    return c;
  }

 private:
  std::unique_ptr<TlsContext> server_ctx_;
  std::unique_ptr<TlsContext> client_ctx_;
  std::unique_ptr<Listener> listener_;
};

TEST(TlsStreamTest, VerifiesDnsNameAndIpAddress) {
  TlsPair pair(ServerOptions());
  Conn by_name = pair.Connect(ClientOptions(), Params("localhost", "localhost"));
  ASSERT_THAT(by_name.client_status, IsOk());
  EXPECT_THAT(by_name.server_status, IsOk());
  HandshakeInfo h = DescribeHandshake(by_name.client->ssl());
  EXPECT_EQ(h.version, "TLSv1.3");
  EXPECT_EQ(h.sni, "localhost");
  EXPECT_EQ(h.peer_sigalg, "ecdsa_secp256r1_sha256");
  EXPECT_EQ(DescribeHandshake(by_name.server->ssl()).sni, "localhost");
  EXPECT_FALSE(h.resumed);
  EXPECT_GT(by_name.client->handshake_time(), absl::ZeroDuration());

  Conn by_ip = pair.Connect(ClientOptions(), Params("127.0.0.1"));
  EXPECT_THAT(by_ip.client_status, IsOk());
  EXPECT_EQ(DescribeHandshake(by_ip.client->ssl()).sni, "");
}

TEST(TlsStreamTest, NameMismatchFailsVerification) {
  TlsPair pair(ServerOptions("wronghost"));
  Conn c = pair.Connect(ClientOptions(), Params("localhost", "localhost"));
  EXPECT_THAT(c.client_status, StatusIs(absl::StatusCode::kUnauthenticated,
                                        "handshake net: certificate verify failed: Hostname mismatch"));
  TlsPair ip_pair(ServerOptions());
  Conn ip = ip_pair.Connect(ClientOptions(), Params("127.0.0.2"));
  EXPECT_THAT(ip.client_status, StatusIs(absl::StatusCode::kUnauthenticated,
                                         "handshake net: certificate verify failed: IP address mismatch"));
}

TEST(TlsStreamTest, ExpiredAndSelfSignedFailVerification) {
  TlsPair expired(ServerOptions("expired"));
  EXPECT_THAT(expired.Connect(ClientOptions(), Params("localhost")).client_status,
              StatusIs(absl::StatusCode::kUnauthenticated,
                       "handshake net: certificate verify failed: certificate has expired"));
  TlsPair self(ServerOptions("selfsigned"));
  EXPECT_THAT(self.Connect(ClientOptions(), Params("localhost")).client_status,
              StatusIs(absl::StatusCode::kUnauthenticated,
                       "handshake net: certificate verify failed: self signed certificate"));
}

TEST(TlsStreamTest, WithoutVerifyTheVerdictIsStillReported) {
  TlsPair pair(ServerOptions("expired"));
  TlsOptions o = ClientOptions();
  o.verify = false;
  Conn c = pair.Connect(o, Params("localhost", "localhost"));
  ASSERT_THAT(c.client_status, IsOk());
  EXPECT_TRUE(c.client->peer_certificate_received());
  EXPECT_EQ(c.client->verify_result(), X509_V_ERR_CERT_HAS_EXPIRED);
}

TEST(TlsStreamTest, VerifyNeedsAName) {
  absl::StatusOr<TlsContext> ctx = TlsContext::Client(ClientOptions());
  ASSERT_THAT(ctx, IsOk());
  absl::StatusOr<Socket> s = Socket::Create(AF_INET, SOCK_STREAM);
  ASSERT_THAT(s, IsOk());
  EXPECT_THAT(TlsStream::Client(*ctx, s->Release(), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, "verify needs a host name or address"));
}

TEST(TlsStreamTest, AgreesOnAlpnInServerOrder) {
  TlsOptions so = ServerOptions();
  so.alpn = {"http/1.1", "h2"};
  TlsPair pair(so);
  TlsOptions co = ClientOptions();
  co.alpn = {"h2", "http/1.1"};
  Conn c = pair.Connect(co, Params("localhost"));
  ASSERT_THAT(c.client_status, IsOk());
  EXPECT_EQ(DescribeHandshake(c.client->ssl()).alpn, "http/1.1");
  co.alpn = {"spdy/3"};
  Conn none = pair.Connect(co, Params("localhost"));
  ASSERT_THAT(none.client_status, IsOk());
  EXPECT_EQ(DescribeHandshake(none.client->ssl()).alpn, "");
}

TEST(TlsStreamTest, VersionMismatchReportsTheAlert) {
  TlsOptions so = ServerOptions();
  so.min_version = TLS1_3_VERSION;
  TlsPair pair(so);
  TlsOptions co = ClientOptions();
  co.max_version = TLS1_2_VERSION;
  Conn c = pair.Connect(co, Params("localhost"));
  EXPECT_THAT(c.client_status,
              StatusIs(absl::StatusCode::kAborted,
                       "handshake net: TLSV1_ALERT_PROTOCOL_VERSION (alert 70 received: protocol version)"));
  EXPECT_EQ(c.server_status.code(), absl::StatusCode::kAborted);
}

TEST(TlsStreamTest, Tls12ReportsSuiteAndGroup) {
  // TLS 1.2 ties an ECDSA certificate's curve to the groups; RSA does not.
  TlsPair pair(ServerOptions("server-rsa"));
  TlsOptions co = ClientOptions();
  co.max_version = TLS1_2_VERSION;
  co.ciphers = "ECDHE-RSA-AES256-GCM-SHA384";
  co.groups = "P-384";
  Conn c = pair.Connect(co, Params("localhost"));
  ASSERT_THAT(c.client_status, IsOk());
  HandshakeInfo h = DescribeHandshake(c.client->ssl());
  EXPECT_EQ(h.version, "TLSv1.2");
  EXPECT_EQ(h.cipher, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
  EXPECT_EQ(h.cipher_id, 0xc030);
  EXPECT_EQ(h.peer_sigalg, "rsa_pss_rsae_sha256");
  EXPECT_EQ(h.group, "P-384");
}

TEST(TlsStreamTest, Tls13ClientCertificateRequiredArrivesAfterTheHandshake) {
  TlsOptions so = ServerOptions();
  so.client_ca_file = Cert("ca.pem");
  TlsPair pair(so);
  Conn c = pair.Connect(ClientOptions(), Params("localhost"));
  // TLS 1.3: the client's handshake ends before the server judges it.
  ASSERT_THAT(c.client_status, IsOk());
  EXPECT_TRUE(c.client->certificate_requested());
  EXPECT_EQ(c.server_status.code(), absl::StatusCode::kAborted);
  c.server.reset();
  EXPECT_THAT(ReadAll(*c.client),
              StatusIs(absl::StatusCode::kAborted,
                       "read net: TLSV1_ALERT_CERTIFICATE_REQUIRED (alert 116 received: certificate required)"));

  TlsOptions with_cert = ClientOptions();
  with_cert.cert_file = Cert("client.pem");
  with_cert.key_file = Cert("client.key");
  Conn ok = pair.Connect(with_cert, Params("localhost"));
  EXPECT_THAT(ok.client_status, IsOk());
  EXPECT_THAT(ok.server_status, IsOk());
}

TEST(TlsStreamTest, HalfCloseRoundTrip) {
  // A server thread of its own, so the client can write after its handshake.
  absl::StatusOr<TlsContext> sctx = TlsContext::Server(ServerOptions());
  ASSERT_THAT(sctx, IsOk());
  absl::StatusOr<Listener> l = Listener::Listen(*SocketAddress::Numeric("127.0.0.1", 0), {});
  ASSERT_THAT(l, IsOk());
  std::string server_got;
  bool server_truncated = true;
  std::thread server([&] {
    absl::StatusOr<Socket> s = l->Accept();
    ASSERT_THAT(s, IsOk());
    std::unique_ptr<TlsStream> tls = *TlsStream::Server(*sctx, s->Release());
    ASSERT_THAT(tls->HandshakeUntil(Deadline()), IsOk());
    absl::StatusOr<std::string> got = ReadAll(*tls);
    ASSERT_THAT(got, IsOk());
    server_got = *got;
    server_truncated = tls->truncated();
    EXPECT_THAT(WriteAllTo(*tls, "pong:" + server_got), IsOk());
  });
  absl::StatusOr<TlsContext> cctx = TlsContext::Client(ClientOptions());
  ASSERT_THAT(cctx, IsOk());
  absl::StatusOr<Socket> sock = ipckit::net::Connect({l->address()}, {});
  ASSERT_THAT(sock, IsOk());
  std::unique_ptr<TlsStream> client = *TlsStream::Client(*cctx, sock->Release(), Params("localhost"));
  ASSERT_THAT(client->HandshakeUntil(Deadline()), IsOk());
  std::string big(3 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4099) big[i] = static_cast<char>('a' + i % 26);
  ASSERT_THAT(WriteAllTo(*client, big), IsOk());
  EXPECT_THAT(ReadAll(*client), IsOkAndHolds("pong:" + big));
  EXPECT_FALSE(client->truncated());
  server.join();
  EXPECT_EQ(server_got, big);
  EXPECT_FALSE(server_truncated);
}

TEST(TlsStreamTest, ReadAheadKeepsWhatAPeerThatIsNotTlsSaid) {
  absl::StatusOr<Listener> l = Listener::Listen(*SocketAddress::Numeric("127.0.0.1", 0), {});
  ASSERT_THAT(l, IsOk());
  std::thread server([&] {
    absl::StatusOr<Socket> s = l->Accept();
    ASSERT_THAT(s, IsOk());
    ASSERT_THAT(io::WriteAll(s->fd(), "SSH-2.0-OpenSSH_9.2\r\n"), IsOk());
    char buf[4096];
    while (::read(s->fd(), buf, sizeof(buf)) > 0) {
    }
  });
  absl::StatusOr<TlsContext> cctx = TlsContext::Client(ClientOptions());
  ASSERT_THAT(cctx, IsOk());
  absl::StatusOr<Socket> sock = ipckit::net::Connect({l->address()}, {});
  ASSERT_THAT(sock, IsOk());
  std::unique_ptr<TlsStream> client = *TlsStream::Client(*cctx, sock->Release(), Params("localhost"));
  EXPECT_EQ(client->first_bytes_received(), "");  // Read-ahead off: nothing kept.
  ASSERT_TRUE(client->EnableReadAhead());
  EXPECT_THAT(client->HandshakeUntil(Deadline()),
              StatusIs(absl::StatusCode::kAborted, "handshake net: WRONG_VERSION_NUMBER"));
  EXPECT_EQ(client->first_bytes_received(), "SSH-2.0-OpenSSH_9.2\r\n");
  client.reset();
  server.join();
}

TEST(TlsStreamTest, ReadAheadHoldsRecordsTheSocketNoLongerShows) {
  // The server sends two records; the client, reading ahead, takes both in
  // one recv, so the second is readable although the socket is not.
  std::promise<void> sent;
  std::future<void> sent_future = sent.get_future();
  absl::StatusOr<TlsContext> sctx = TlsContext::Server(ServerOptions());
  ASSERT_THAT(sctx, IsOk());
  absl::StatusOr<Listener> l = Listener::Listen(*SocketAddress::Numeric("127.0.0.1", 0), {});
  ASSERT_THAT(l, IsOk());
  std::thread server([&] {
    absl::StatusOr<Socket> s = l->Accept();
    ASSERT_THAT(s, IsOk());
    int one = 1;  // Without Nagle: "two" goes out before "one" is acknowledged.
    ASSERT_EQ(::setsockopt(s->fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), 0);
    std::unique_ptr<TlsStream> tls = *TlsStream::Server(*sctx, s->Release());
    ASSERT_THAT(tls->HandshakeUntil(Deadline()), IsOk());
    EXPECT_THAT(tls->Write("one"), IsOkAndHolds(3u));  // Records this small never block.
    EXPECT_THAT(tls->Write("two"), IsOkAndHolds(3u));
    sent.set_value();
    EXPECT_THAT(ReadAll(*tls), IsOkAndHolds(""));  // Until the client closes.
  });
  absl::StatusOr<TlsContext> cctx = TlsContext::Client(ClientOptions());
  ASSERT_THAT(cctx, IsOk());
  absl::StatusOr<Socket> sock = ipckit::net::Connect({l->address()}, {});
  ASSERT_THAT(sock, IsOk());
  std::unique_ptr<TlsStream> client = *TlsStream::Client(*cctx, sock->Release(), Params("localhost"));
  ASSERT_TRUE(client->EnableReadAhead());
  ASSERT_THAT(client->HandshakeUntil(Deadline()), IsOk());
  // Both records (after the session tickets) are in the socket once the
  // server's sends return: loopback delivers within send(2).
  ASSERT_EQ(sent_future.wait_until(std::chrono::system_clock::now() + std::chrono::seconds(10)),
            std::future_status::ready);
  int queued = 0;
  ASSERT_EQ(::ioctl(client->fd(), FIONREAD, &queued), 0);
  ASSERT_GE(queued, 50);  // Each record is 25 bytes (5 header, 3 data, 1 type, 16 tag).
  char buf[16];
  EXPECT_THAT(client->Read(absl::MakeSpan(buf)), IsOkAndHolds(3u));
  EXPECT_EQ(std::string(buf, 3), "one");
  struct pollfd p = {client->fd(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 0), 0);  // The socket shows nothing more...
  EXPECT_TRUE(client->HasBufferedInput());  // ...but the second record is here.
  EXPECT_THAT(client->Read(absl::MakeSpan(buf)), IsOkAndHolds(3u));
  EXPECT_EQ(std::string(buf, 3), "two");
  EXPECT_FALSE(client->HasBufferedInput());
  EXPECT_THAT(client->Read(absl::MakeSpan(buf)), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(client->CloseWrite(), IsOk());
  server.join();
}

TEST(TlsStreamTest, BareEofIsTruncation) {
  TlsPair pair(ServerOptions());
  Conn c = pair.Connect(ClientOptions(), Params("localhost"));
  ASSERT_THAT(c.client_status, IsOk());
  c.server.reset();  // Closes the socket without close_notify.
  EXPECT_THAT(ReadAll(*c.client), IsOkAndHolds(""));
  EXPECT_TRUE(c.client->truncated());
}

TEST(TlsStreamTest, ResumesWithTheTicket) {
  TlsPair pair(ServerOptions());
  Conn first = pair.Connect(ClientOptions(), Params("localhost"),
                            [](TlsStream& s) { EXPECT_THAT(WriteAllTo(s, "hi"), IsOk()); });
  ASSERT_THAT(first.client_status, IsOk());
  // TLS 1.3 tickets come after the handshake: reading collects them.
  EXPECT_THAT(ReadAll(*first.client), IsOkAndHolds("hi"));
  bssl::UniquePtr<SSL_SESSION> session = first.client->TakeSession();
  ASSERT_TRUE(session);
  Conn second = pair.Connect(ClientOptions(), Params("localhost", "", session.get()));
  ASSERT_THAT(second.client_status, IsOk());
  EXPECT_TRUE(DescribeHandshake(second.client->ssl()).resumed);
}

}  // namespace
}  // namespace ipckit::tls
