#include "tools/tlsprobe/probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/io/wait.h"
#include "lib/net/address.h"
#include "lib/net/socket.h"
#include "lib/tls/tls_stream.h"

namespace ipckit::tlsprobe {
namespace {

// Reason returns the part of a "context: reason" message after the context.
std::string Reason(absl::string_view message) {
  size_t colon = message.rfind(": ");
  return std::string(colon == absl::string_view::npos ? message : message.substr(colon + 2));
}

void Fail(ProbeResult* r, int exit, std::string stage, const absl::Status& s, int alert = -1) {
  r->exit = exit;
  ProbeError e;
  e.stage = std::move(stage);
  e.alert = alert;
  e.message = std::string(s.message());
  e.reason = Reason(e.message);
  r->error = std::move(e);
}

int ExitFor(const absl::Status& s, int otherwise) {
  return absl::IsDeadlineExceeded(s) ? kExitTimeout : otherwise;
}

// Connection is one connected TLS stream with what it took to get there.
struct Connection {
  std::unique_ptr<tls::TlsStream> tls;
  absl::Status status;  // First failure.
  std::string stage;
  int exit = kExitOk;
};

void WaitFor(int fd, uint32_t events, absl::Time deadline) {
  short e = 0;
  if (events & selector::kReadable) e |= POLLIN;
  if (events & selector::kWritable) e |= POLLOUT;
  (void)io::WaitUntil(fd, e, deadline, "read");
}

// AfterHandshake reads briefly for what comes after the handshake: TLS 1.3
// session tickets, and the alert of a server that wanted a client
// certificate (BoringSSL's TLS 1.3 client finishes before the server
// judges it). It returns that alert's failure, or OK.
absl::Status AfterHandshake(tls::TlsStream& tls, absl::Duration rtt, bool want_ticket, absl::Duration timeout) {
  // Before TLS 1.3 nothing follows the server's Finished.
  if (SSL_version(tls.ssl()) < TLS1_3_VERSION) return absl::OkStatus();
  absl::Duration wait = std::clamp(3 * rtt + absl::Milliseconds(30), absl::Milliseconds(30), timeout);
  if (want_ticket) wait = timeout;
  absl::Time deadline = absl::Now() + wait;
  char buf[4096];
  while (absl::Now() < deadline) {
    absl::StatusOr<size_t> n = tls.Read(absl::MakeSpan(buf));
    if (n.ok()) {
      if (*n == 0) return absl::OkStatus();  // Closed: nothing more comes.
      continue;                              // Application data: ignored.
    }
    if (!absl::IsUnavailable(n.status())) return n.status();
    // A ticket means the server accepted the client's flight.
    if (tls.has_session()) return absl::OkStatus();
    WaitFor(tls.fd(), tls.ReadWaitsFor(), deadline);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Target> ParseTarget(absl::string_view text) {
  Target t;
  t.text = std::string(text);
  if (text.empty()) return absl::InvalidArgumentError("invalid target '': empty");
  bool has_port = false;
  if (text.front() == '[') {
    has_port = text.find("]:") != absl::string_view::npos;
    if (!has_port) {
      if (text.back() != ']') return absl::InvalidArgumentError(absl::StrCat("invalid target '", text, "'"));
      t.host = std::string(text.substr(1, text.size() - 2));
      return t;
    }
  } else {
    size_t colons = std::count(text.begin(), text.end(), ':');
    if (colons == 1) has_port = true;
    if (colons > 1) {  // A bare IPv6 address.
      t.host = std::string(text);
      return t;
    }
  }
  if (!has_port) {
    t.host = std::string(text);
    return t;
  }
  absl::StatusOr<net::HostPort> hp = net::SplitHostPort(text);
  if (!hp.ok()) return absl::InvalidArgumentError(absl::StrCat("invalid target '", text, "': ", hp.status().message()));
  absl::StatusOr<uint16_t> port = net::ParsePort(hp->port);
  if (!port.ok()) return absl::InvalidArgumentError(absl::StrCat("invalid target '", text, "': ", port.status().message()));
  if (*port == 0 || hp->host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid target '", text, "': need a host and a port 1-65535"));
  }
  t.host = hp->host;
  t.port = *port;
  return t;
}

namespace {

// RecordName names a TLS record's content type, and HandshakeName a
// handshake message's type (RFC 8446 B.1, B.3), or "type N".
std::string RecordName(uint8_t type) {
  switch (type) {
    case 20: return "ChangeCipherSpec";
    case 21: return "Alert";
    case 22: return "Handshake";
    case 23: return "ApplicationData";
    case 24: return "Heartbeat";
  }
  return absl::StrCat("type ", type);
}

std::string HandshakeName(uint8_t type) {
  switch (type) {
    case 1: return "ClientHello";
    case 2: return "ServerHello";
    case 4: return "NewSessionTicket";
    case 8: return "EncryptedExtensions";
    case 11: return "Certificate";
    case 12: return "ServerKeyExchange";
    case 13: return "CertificateRequest";
    case 14: return "ServerHelloDone";
    case 15: return "CertificateVerify";
    case 20: return "Finished";
  }
  return absl::StrCat("type ", type);
}

// PeerNaming is what a failed handshake says about the peer.
struct PeerNaming {
  std::string message;  // "" when the failure needs no naming.
  const char* reason = "";
};

// NamePeer returns, for a handshake that failed on bytes BoringSSL could not
// take from a peer that sent no alert, what the peer is: one that does not
// speak TLS ("the peer does not speak TLS: it sent \"SSH-2.0-OpenSSH_9.2\\r\\n\"",
// "... it sent back a TLS ClientHello (an echo server?)", NOT_TLS), or one
// that speaks TLS and broke the protocol ("the peer speaks TLS but broke
// the protocol (DECODE_ERROR): its first record is a Handshake record
// (ServerHello)", TLS_PROTOCOL_VIOLATION); else an empty message.
PeerNaming NamePeer(const tls::TlsStream& tls, const absl::Status& s) {
  static const char* const kNotTlsReasons[] = {"WRONG_VERSION_NUMBER", "UNEXPECTED_MESSAGE", "UNEXPECTED_RECORD",
                                               "HTTP_REQUEST", "HTTPS_PROXY_REQUEST", "RECORD_TOO_LARGE",
                                               "EXCESSIVE_MESSAGE_SIZE", "DECODE_ERROR"};
  std::string reason = Reason(s.message());
  bool matches = false;
  for (const char* r : kNotTlsReasons) matches = matches || reason == r;
  std::string first = tls.first_bytes_received();
  if (!matches || tls.alert_received() >= 0 || first.empty()) return {};
  auto byte = [&](size_t i) { return static_cast<uint8_t>(first[i]); };
  bool record = first.size() >= 3 && byte(0) >= 20 && byte(0) <= 24 && byte(1) == 3 && byte(2) <= 4;
  if (record && first.size() >= 6 && byte(0) == 22 && byte(5) == 1) {
    return {"the peer does not speak TLS: it sent back a TLS ClientHello (an echo server?)", "NOT_TLS"};
  }
  if (record) {
    std::string what = RecordName(byte(0));
    if (byte(0) == 22 && first.size() >= 6) absl::StrAppend(&what, " record (", HandshakeName(byte(5)), ")");
    else absl::StrAppend(&what, " record");
    return {absl::StrCat("the peer speaks TLS but broke the protocol (", reason, "): its first record is a ", what),
            "TLS_PROTOCOL_VIOLATION"};
  }
  return {absl::StrCat("the peer does not speak TLS: it sent \"", absl::CHexEscape(first.substr(0, 40)),
                       first.size() > 40 ? "...\"" : "\""),
          "NOT_TLS"};
}

struct Attempt {
  std::unique_ptr<tls::TlsStream> tls;
  bool ok = false;
};

// Handshake makes one connection to `addrs` and runs the handshake, filling
// the timing and failure parts of `r`.
Attempt Connect(const std::vector<net::SocketAddress>& addrs, const Target& target, const ProbeOptions& o,
                const tls::TlsContext& ctx, SSL_SESSION* session, ProbeResult* r) {
  Attempt a;
  absl::Time start = absl::Now();
  net::ConnectOptions co;
  co.timeout = o.timeout;
  absl::StatusOr<net::Socket> sock = net::Connect(addrs, co);
  r->tcp = absl::Now() - start;
  if (!sock.ok()) {
    Fail(r, ExitFor(sock.status(), kExitConnect), "connect", sock.status());
    return a;
  }
  int one = 1;
  setsockopt(sock->fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (absl::StatusOr<net::SocketAddress> peer = sock->PeerAddress(); peer.ok()) r->ip = peer->Host();
  if (o.starttls != StarttlsProtocol::kNone) {
    absl::Time s0 = absl::Now();
    absl::Status s = Starttls(sock->fd(), o.starttls, target.host, s0 + o.timeout);
    r->starttls = absl::Now() - s0;
    if (!s.ok()) {
      Fail(r, ExitFor(s, kExitTls), "starttls", s);
      return a;
    }
  }
  tls::TlsClientParams params;
  params.server_name = r->sni;
  params.verify_name = o.servername.value_or(target.host);
  params.session = session;
  absl::StatusOr<std::unique_ptr<tls::TlsStream>> tls = tls::TlsStream::Client(ctx, sock->Release(), params);
  if (!tls.ok()) {
    Fail(r, kExitInternal, "handshake", tls.status());
    return a;
  }
  a.tls = *std::move(tls);
  a.tls->EnableReadAhead();  // It keeps the first bytes the peer sent: a peer that is not TLS shows there.
  absl::Status s = a.tls->HandshakeUntil(absl::Now() + o.timeout);
  r->handshake = a.tls->handshake_time();
  if (s.ok()) {
    s = AfterHandshake(*a.tls, r->tcp, o.resume && session == nullptr, o.timeout);
    if (!s.ok()) {
      Fail(r, kExitTls, "handshake", s, a.tls->alert_received());
      return a;
    }
    a.ok = true;
    return a;
  }
  if (absl::IsUnauthenticated(s)) {
    Fail(r, kExitVerify, "verify", s);
  } else {
    if (absl::IsDeadlineExceeded(s)) r->handshake = o.timeout;
    Fail(r, ExitFor(s, kExitTls), "handshake", s, a.tls->alert_received());
    PeerNaming named = NamePeer(*a.tls, s);
    if (!named.message.empty()) {
      Fail(r, kExitTls, "handshake", absl::AbortedError(named.message));
      r->error->reason = named.reason;
    }
  }
  return a;
}

void Describe(tls::TlsStream& tls, ProbeResult* r) {
  r->client_auth_requested = tls.certificate_requested();
  // A handshake that failed before the certificate arrived has a
  // meaningless verify result: report none.
  if (!tls.peer_certificate_received()) return;
  r->verify_present = true;
  r->verify_code = tls.verify_result();
  r->verify_ok = r->verify_code == X509_V_OK;
  if (!r->verify_ok) r->verify_error = X509_verify_cert_error_string(r->verify_code);
  absl::StatusOr<std::vector<tls::CertInfo>> chain = tls::DescribePeerChain(tls.ssl(), absl::Now());
  if (chain.ok()) r->chain = *std::move(chain);
}

}  // namespace

ProbeResult Probe(const Target& target, const ProbeOptions& o, const tls::TlsContext& ctx) {
  ProbeResult r;
  r.target = target;
  absl::Time start = absl::Now();
  if (!o.no_sni) {
    r.sni = o.servername ? *o.servername : tls::TlsClientParams::For(target.host).server_name;
  }
  net::ResolveOptions ro;
  ro.family = o.family == AF_INET ? net::Family::kIPv4 : o.family == AF_INET6 ? net::Family::kIPv6 : net::Family::kAny;
  absl::StatusOr<std::vector<net::SocketAddress>> addrs = net::Resolve(target.host, target.port, ro);
  if (!addrs.ok()) {
    Fail(&r, kExitConnect, "connect", addrs.status());
    r.total = absl::Now() - start;
    return r;
  }
  Attempt a = Connect(*addrs, target, o, ctx, nullptr, &r);
  if (a.tls) Describe(*a.tls, &r);
  if (a.ok) {
    r.handshake_done = true;
    r.tls = tls::DescribeHandshake(a.tls->ssl());
    if (o.resume) {
      bssl::UniquePtr<SSL_SESSION> session = a.tls->TakeSession();
      (void)a.tls->CloseWrite();
      a.tls.reset();
      if (!session) {
        r.resumed = false;
      } else {
        ProbeResult second = r;
        second.error.reset();
        second.exit = kExitOk;
        Attempt b = Connect(*addrs, target, o, ctx, session.get(), &second);
        r.resumed = b.ok && SSL_session_reused(b.tls->ssl());
        if (b.ok) r.tls.resumed = *r.resumed;
        if (b.tls) (void)b.tls->CloseWrite();
      }
    } else {
      (void)a.tls->CloseWrite();
    }
  }
  r.total = absl::Now() - start;
  return r;
}

}  // namespace ipckit::tlsprobe
