#include "tools/selfcheck/selfcheck.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/bytestring.h>
#include <openssl/crypto.h>
#include <openssl/ec_key.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/nid.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <algorithm>
#include <string>
#include <thread>

#include "absl/base/config.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/io/unique_fd.h"

namespace ipckit::selfcheck {
namespace {

constexpr size_t kChunk = 16 * 1024;

// SslError returns a status with `context` and BoringSSL's queued reason.
absl::Status SslError(absl::string_view context) {
  uint32_t err = ERR_get_error();
  ERR_clear_error();
  const char* reason = err != 0 ? ERR_reason_error_string(err) : nullptr;
  return absl::InternalError(absl::StrCat(context, ": ", reason != nullptr ? reason : "unknown error"));
}

struct Identity {
  bssl::UniquePtr<EVP_PKEY> key;
  bssl::UniquePtr<X509> cert;
};

// MakeIdentity returns a fresh P-256 key and a one-day self-signed certificate
// for CN=localhost with SANs DNS:localhost and IP:127.0.0.1.
absl::StatusOr<Identity> MakeIdentity() {
  bssl::UniquePtr<EC_KEY> ec(EC_KEY_new_by_curve_name(NID_X9_62_prime256v1));
  if (!ec || !EC_KEY_generate_key(ec.get())) return SslError("generate key");
  Identity id;
  id.key.reset(EVP_PKEY_new());
  if (!id.key || !EVP_PKEY_assign_EC_KEY(id.key.get(), ec.release())) return SslError("wrap key");
  id.cert.reset(X509_new());
  X509* c = id.cert.get();
  X509_NAME* name = X509_get_subject_name(c);
  if (!X509_set_version(c, X509_VERSION_3) || !ASN1_INTEGER_set(X509_get_serialNumber(c), 1) ||
      !X509_gmtime_adj(X509_getm_notBefore(c), -60) ||
      !X509_gmtime_adj(X509_getm_notAfter(c), 24 * 3600) ||
      !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                  reinterpret_cast<const uint8_t*>("localhost"), -1, -1, 0) ||
      !X509_set_issuer_name(c, name) || !X509_set_pubkey(c, id.key.get())) {
    return SslError("build certificate");
  }
  bssl::UniquePtr<X509_EXTENSION> san(
      X509V3_EXT_nconf_nid(nullptr, nullptr, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"));
  if (!san || !X509_add_ext(c, san.get(), -1)) return SslError("add subjectAltName");
  if (!X509_sign(c, id.key.get(), EVP_sha256())) return SslError("sign certificate");
  return id;
}

absl::Status SetTimeouts(int fd, absl::Duration timeout) {
  struct timeval tv = absl::ToTimeval(timeout);
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
    return absl::ErrnoToStatus(errno, "setsockopt");
  }
  return absl::OkStatus();
}

// Listen returns a TCP socket listening on 127.0.0.1 at a port the kernel
// picks, and that port.
absl::StatusOr<io::UniqueFd> Listen(uint16_t* port) {
  io::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return absl::ErrnoToStatus(errno, "socket");
  struct sockaddr_in sin = {};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(sin);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sin), sizeof(sin)) != 0) {
    return absl::ErrnoToStatus(errno, "bind 127.0.0.1:0");
  }
  if (::listen(fd.get(), 1) != 0) return absl::ErrnoToStatus(errno, "listen");
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sin), &len) != 0) {
    return absl::ErrnoToStatus(errno, "getsockname");
  }
  *port = ntohs(sin.sin_port);
  return fd;
}

// Serve accepts one connection on `listener`, does a TLS handshake as
// `identity` and echoes until the client closes.
absl::Status Serve(int listener, const Identity& identity, absl::Duration timeout) {
  io::UniqueFd conn(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
  if (!conn) return absl::ErrnoToStatus(errno, "accept");
  absl::Status s = SetTimeouts(conn.get(), timeout);
  if (!s.ok()) return s;
  bssl::UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_method()));
  if (!ctx || !SSL_CTX_use_certificate(ctx.get(), identity.cert.get()) ||
      !SSL_CTX_use_PrivateKey(ctx.get(), identity.key.get())) {
    return SslError("server context");
  }
  bssl::UniquePtr<SSL> ssl(SSL_new(ctx.get()));
  if (!ssl || !SSL_set_fd(ssl.get(), conn.get())) return SslError("server SSL");
  if (SSL_accept(ssl.get()) != 1) return SslError("server handshake");
  char buf[kChunk];
  for (;;) {
    int n = SSL_read(ssl.get(), buf, sizeof(buf));
    if (n <= 0) {
      return SSL_get_error(ssl.get(), n) == SSL_ERROR_ZERO_RETURN ? absl::OkStatus()
                                                                  : SslError("server read");
    }
    if (SSL_write(ssl.get(), buf, n) != n) return SslError("server write");
  }
}

std::string Hex(const uint8_t* p, size_t n) {
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(p), n));
}

}  // namespace

absl::Status Validate(const Options& opts) {
  if (opts.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--timeout must be positive");
  }
  return absl::OkStatus();
}

absl::Status Run(const Options& opts, std::ostream& out) {
  out << "selfcheck: " << OPENSSL_VERSION_TEXT << " (API " << BORINGSSL_API_VERSION
      << "), Abseil " << ABSL_LTS_RELEASE_VERSION << "\n";
  absl::StatusOr<Identity> identity = MakeIdentity();
  if (!identity.ok()) return identity.status();

  uint16_t port = 0;
  absl::StatusOr<io::UniqueFd> listener = Listen(&port);
  if (!listener.ok()) return listener.status();
  const std::string addr = absl::StrCat("127.0.0.1:", port);
  out << "selfcheck: listening on " << addr << "\n";

  absl::Status server_status;
  std::thread server([&] { server_status = Serve(listener->get(), *identity, opts.timeout); });
  // On every way out, wake a server still blocked in accept(2), then join it.
  // A server blocked in a read wakes when the client socket below closes first.
  struct Joiner {
    std::thread& t;
    int listener;
    ~Joiner() {
      ::shutdown(listener, SHUT_RDWR);
      if (t.joinable()) t.join();
    }
  } joiner{server, listener->get()};

  io::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return absl::ErrnoToStatus(errno, "socket");
  absl::Status s = SetTimeouts(fd.get(), opts.timeout);
  if (!s.ok()) return s;
  struct sockaddr_in sin = {};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sin), sizeof(sin)) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("connect ", addr));
  }

  // The client trusts exactly the throwaway certificate and checks the IP SAN.
  bssl::UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_method()));
  if (!ctx) return SslError("client context");
  X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), identity->cert.get());
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  bssl::UniquePtr<SSL> ssl(SSL_new(ctx.get()));
  if (!ssl || !SSL_set_fd(ssl.get(), fd.get()) ||
      !X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), "127.0.0.1")) {
    return SslError("client SSL");
  }
  if (SSL_connect(ssl.get()) != 1) {
    long verify = SSL_get_verify_result(ssl.get());
    if (verify != X509_V_OK) {
      return absl::UnauthenticatedError(
          absl::StrCat("TLS handshake: ", X509_verify_cert_error_string(verify)));
    }
    return SslError("TLS handshake");
  }
  out << "selfcheck: " << SSL_get_version(ssl.get()) << " "
      << SSL_CIPHER_standard_name(SSL_get_current_cipher(ssl.get()))
      << ", server certificate verified for 127.0.0.1\n";

  // Ping-pong in chunks: write one, read it back, hash both directions.
  SHA256_CTX sent, received;
  SHA256_Init(&sent);
  SHA256_Init(&received);
  std::string chunk(kChunk, '\0');
  std::string back(kChunk, '\0');
  uint64_t done = 0;
  uint32_t seed = 0x2545F491u;
  while (done < opts.bytes) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(kChunk, opts.bytes - done));
    for (size_t i = 0; i < n; ++i) {
      seed = seed * 1664525u + 1013904223u;
      chunk[i] = static_cast<char>(seed >> 24);
    }
    if (SSL_write(ssl.get(), chunk.data(), static_cast<int>(n)) != static_cast<int>(n)) {
      return SslError("client write");
    }
    SHA256_Update(&sent, chunk.data(), n);
    size_t got = 0;
    while (got < n) {
      int r = SSL_read(ssl.get(), &back[got], static_cast<int>(n - got));
      if (r <= 0) return SslError("client read");
      got += static_cast<size_t>(r);
    }
    SHA256_Update(&received, back.data(), n);
    done += n;
  }
  SSL_shutdown(ssl.get());
  fd.reset();

  uint8_t a[SHA256_DIGEST_LENGTH], b[SHA256_DIGEST_LENGTH];
  SHA256_Final(a, &sent);
  SHA256_Final(b, &received);
  if (std::string(a, a + sizeof(a)) != std::string(b, b + sizeof(b))) {
    return absl::DataLossError(absl::StrCat("round trip: digest mismatch: sent ", Hex(a, sizeof(a)),
                                            ", received ", Hex(b, sizeof(b))));
  }
  server.join();
  if (!server_status.ok()) return server_status;
  out << "selfcheck: " << done << " bytes there and back, sha256 " << Hex(a, sizeof(a)) << "\n";
  out << "selfcheck: OK\n";
  return absl::OkStatus();
}

}  // namespace ipckit::selfcheck
