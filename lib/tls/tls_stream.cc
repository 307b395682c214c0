#include "lib/tls/tls_stream.h"

#include <errno.h>
#include <limits.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/io/fd.h"
#include "lib/io/wait.h"
#include "lib/tls/read_ahead_bio.h"
#include "lib/tls/tls_error.h"

namespace ipckit::tls {
namespace {

bool IsIpLiteral(const std::string& name) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

}  // namespace

TlsClientParams TlsClientParams::For(const std::string& name) {
  TlsClientParams p;
  p.verify_name = name;
  if (!IsIpLiteral(name)) p.server_name = name;
  return p;
}

TlsStream::TlsStream(io::UniqueFd fd, bssl::UniquePtr<SSL> ssl, std::string name)
    : fd_(std::move(fd)), ssl_(std::move(ssl)), name_(std::move(name)) {
  SSL_set_app_data(ssl_.get(), static_cast<TlsEvents*>(this));
}

TlsStream::~TlsStream() {
  if (ssl_) SSL_set_app_data(ssl_.get(), nullptr);
}

absl::StatusOr<std::unique_ptr<TlsStream>> TlsStream::Create(const TlsContext& ctx, io::UniqueFd fd,
                                                             std::string name) {
  if (absl::Status s = io::SetNonBlocking(fd.get(), true); !s.ok()) return s;
  bssl::UniquePtr<SSL> ssl(SSL_new(ctx.get()));
  if (!ssl || !SSL_set_fd(ssl.get(), fd.get())) return TlsError(absl::StatusCode::kInternal, "SSL_new");
  return std::unique_ptr<TlsStream>(new TlsStream(std::move(fd), std::move(ssl), std::move(name)));
}

absl::StatusOr<std::unique_ptr<TlsStream>> TlsStream::Client(const TlsContext& ctx, io::UniqueFd fd,
                                                             const TlsClientParams& params,
                                                             std::string name) {
  if (ctx.options().verify && params.verify_name.empty()) {
    return absl::InvalidArgumentError("verify needs a host name or address");
  }
  absl::StatusOr<std::unique_ptr<TlsStream>> s = Create(ctx, std::move(fd), std::move(name));
  if (!s.ok()) return s;
  SSL* ssl = (*s)->ssl();
  SSL_set_connect_state(ssl);
  if (!params.server_name.empty() && !SSL_set_tlsext_host_name(ssl, params.server_name.c_str())) {
    return TlsError(absl::StatusCode::kInvalidArgument, absl::StrCat("server name ", params.server_name));
  }
  if (!params.verify_name.empty()) {
    X509_VERIFY_PARAM* vp = SSL_get0_param(ssl);
    int ok = IsIpLiteral(params.verify_name)
                 ? X509_VERIFY_PARAM_set1_ip_asc(vp, params.verify_name.c_str())
                 : X509_VERIFY_PARAM_set1_host(vp, params.verify_name.data(), params.verify_name.size());
    if (!ok) return TlsError(absl::StatusCode::kInvalidArgument, absl::StrCat("verify name ", params.verify_name));
  }
  if (params.session != nullptr && !SSL_set_session(ssl, params.session)) {
    return TlsError(absl::StatusCode::kInternal, "set session");
  }
  return s;
}

absl::StatusOr<std::unique_ptr<TlsStream>> TlsStream::Server(const TlsContext& ctx, io::UniqueFd fd,
                                                             std::string name) {
  absl::StatusOr<std::unique_ptr<TlsStream>> s = Create(ctx, std::move(fd), std::move(name));
  if (s.ok()) SSL_set_accept_state((*s)->ssl());
  return s;
}

std::string TlsStream::first_bytes_received() const {
  return read_ahead_ ? ReadAheadFirstBytes(SSL_get_rbio(ssl_.get())) : std::string();
}

bool TlsStream::EnableReadAhead() {
  bssl::UniquePtr<BIO> rbio = NewReadAheadBio(fd_.get());
  if (!rbio) return false;
  SSL_set0_rbio(ssl_.get(), rbio.release());
  read_ahead_ = true;
  return true;
}

bool TlsStream::HasBufferedInput() const {
  return SSL_pending(ssl_.get()) > 0 || (read_ahead_ && BIO_pending(SSL_get_rbio(ssl_.get())) > 0);
}

void TlsStream::OnAlert(bool sent, int description) {
  // close_notify (0) is not a failure worth reporting.
  if (description == SSL_AD_CLOSE_NOTIFY) return;
  (sent ? alert_sent_ : alert_received_) = description;
}

void TlsStream::OnNewSession(bssl::UniquePtr<SSL_SESSION> session) {
  if (SSL_SESSION_is_resumable(session.get())) session_ = std::move(session);
}

bool TlsStream::peer_certificate_received() const {
  return SSL_get0_peer_certificates(ssl_.get()) != nullptr;
}

std::string TlsStream::AlertSuffix() const {
  if (alert_received_ >= 0) {
    return absl::StrCat(" (alert ", alert_received_, " received: ", SSL_alert_desc_string_long(alert_received_), ")");
  }
  return "";
}

absl::Status TlsStream::Failure(int ret, absl::string_view op, uint32_t* wait) {
  int saved_errno = errno;
  int err = SSL_get_error(ssl_.get(), ret);
  std::string context = absl::StrCat(op, " ", name_);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      *wait = selector::kReadable;
      return absl::UnavailableError(absl::StrCat(context, ": would block"));
    case SSL_ERROR_WANT_WRITE:
      *wait = selector::kWritable;
      return absl::UnavailableError(absl::StrCat(context, ": would block"));
    case SSL_ERROR_SYSCALL: {
      ERR_clear_error();
      // kUnavailable means "would block" to a relay: a reset is kAborted.
      if (ret != 0 && saved_errno != 0) {
        absl::Status s = absl::ErrnoToStatus(saved_errno, context);
        if (absl::IsUnavailable(s)) s = absl::AbortedError(s.message());
        return s;
      }
      return absl::AbortedError(absl::StrCat(context, ": connection closed by the peer"));
    }
    default:
      break;
  }
  std::string reason = TlsErrorReason();
  if (reason.empty()) reason = "unknown TLS error";
  if (reason == "CERTIFICATE_VERIFY_FAILED") {
    return absl::UnauthenticatedError(absl::StrCat(context, ": certificate verify failed: ",
                                                   X509_verify_cert_error_string(verify_result())));
  }
  return absl::AbortedError(absl::StrCat(context, ": ", reason, AlertSuffix()));
}

absl::Status TlsStream::Handshake() {
  if (handshake_start_ == absl::InfinitePast()) handshake_start_ = absl::Now();
  ERR_clear_error();
  errno = 0;
  int ret = SSL_do_handshake(ssl_.get());
  if (ret == 1) {
    if (handshake_time_ == absl::ZeroDuration()) handshake_time_ = absl::Now() - handshake_start_;
    return absl::OkStatus();
  }
  return Failure(ret, "handshake", &handshake_wait_);
}

absl::Status TlsStream::HandshakeUntil(absl::Time deadline) {
  while (true) {
    absl::Status s = Handshake();
    if (!absl::IsUnavailable(s)) return s;
    short events = 0;
    if (handshake_wait_ & selector::kReadable) events |= POLLIN;
    if (handshake_wait_ & selector::kWritable) events |= POLLOUT;
    absl::StatusOr<bool> ready = io::WaitUntil(fd_.get(), events, deadline, absl::StrCat("handshake ", name_));
    if (!ready.ok()) return ready.status();
    if (!*ready) return absl::DeadlineExceededError(absl::StrCat("handshake ", name_, ": timed out"));
  }
}

absl::StatusOr<size_t> TlsStream::Read(absl::Span<char> buf) {
  ERR_clear_error();
  errno = 0;
  int want = static_cast<int>(std::min<size_t>(buf.size(), INT_MAX));
  int n = SSL_read(ssl_.get(), buf.data(), want);
  if (n > 0) return static_cast<size_t>(n);
  int err = SSL_get_error(ssl_.get(), n);
  if (err == SSL_ERROR_ZERO_RETURN) return 0;
  if (err == SSL_ERROR_SYSCALL && n == 0) {
    ERR_clear_error();
    truncated_ = true;
    return 0;
  }
  return Failure(n, "read", &read_wait_);
}

absl::StatusOr<size_t> TlsStream::Write(absl::string_view data) {
  if (data.empty()) return 0;
  ERR_clear_error();
  errno = 0;
  int want = static_cast<int>(std::min<size_t>(data.size(), INT_MAX));
  int n = SSL_write(ssl_.get(), data.data(), want);
  if (n > 0) return static_cast<size_t>(n);
  return Failure(n, "write", &write_wait_);
}

absl::Status TlsStream::CloseWrite() {
  if (write_closed_) return absl::OkStatus();
  ERR_clear_error();
  errno = 0;
  int ret = SSL_shutdown(ssl_.get());
  if (ret < 0) {
    absl::Status s = Failure(ret, "close", &write_wait_);
    if (absl::IsUnavailable(s)) return s;
    write_closed_ = true;
    return s;
  }
  write_closed_ = true;
  return absl::OkStatus();
}

}  // namespace ipckit::tls
