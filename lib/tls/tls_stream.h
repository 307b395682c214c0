// tls_stream.h runs TLS over a connected socket: TlsStream is an io::Stream
// (lib/io/stream.h), so nc and echod move bytes through TLS with the same relay loop
// as plain sockets. The socket is made non-blocking; Handshake, Read and
// Write return kUnavailable when BoringSSL wants the socket readable or
// writable (HandshakeWaitsFor, ReadWaitsFor, WriteWaitsFor say which).
// CloseWrite sends close_notify and keeps reading, so a client can half-close
// and still get the peer's reply.
//
// Example:
//
//   absl::StatusOr<std::unique_ptr<TlsStream>> tls =
//       TlsStream::Client(ctx, sock.Release(), {.server_name = "localhost",
//                                               .verify_name = "localhost"});
//   absl::Status s = (*tls)->HandshakeUntil(absl::Now() + absl::Seconds(5));
//   // s: kUnauthenticated "handshake net: certificate verify failed:
//   //    certificate has expired", kAborted "handshake net:
//   //    TLSV1_ALERT_PROTOCOL_VERSION (alert 70 received)", ...
//
// Threads: a TlsStream is used by one thread at a time; streams from one
// TlsContext may run on different threads.
#ifndef IPCKIT_LIB_TLS_TLS_STREAM_H_
#define IPCKIT_LIB_TLS_TLS_STREAM_H_

#include <openssl/ssl.h>
#include <stdint.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "lib/io/unique_fd.h"
#include "lib/io/stream.h"
#include "lib/tls/tls_context.h"

namespace ipckit::tls {

struct TlsClientParams {
  std::string server_name;  // Sent as SNI; "" sends none (as for IP literals).
  // verify_name is the DNS name or IP literal the certificate must match
  // (IP addresses against IP SANs). Required when the context verifies.
  std::string verify_name;
  SSL_SESSION* session = nullptr;  // Offered for resumption when set.

  // For returns the usual parameters for reaching `name`: verify it, and
  // send it as SNI unless it is an IP literal (RFC 6066 forbids those).
  static TlsClientParams For(const std::string& name);
};

class TlsStream : public io::Stream, private TlsEvents {
 public:
  // Client returns a client stream over `fd` (a connected socket), or
  // kInvalidArgument "verify needs a host name or address" when the context
  // verifies and params.verify_name is empty.
  static absl::StatusOr<std::unique_ptr<TlsStream>> Client(const TlsContext& ctx, io::UniqueFd fd,
                                                           const TlsClientParams& params,
                                                           std::string name = "net");
  // Server returns a server stream over an accepted socket `fd`.
  static absl::StatusOr<std::unique_ptr<TlsStream>> Server(const TlsContext& ctx, io::UniqueFd fd,
                                                           std::string name = "net");
  ~TlsStream() override;

  // Handshake advances the handshake: OK once complete, kUnavailable while
  // it waits for HandshakeWaitsFor(), or the failure: kUnauthenticated for a
  // certificate that failed verification ("handshake net: certificate verify
  // failed: certificate has expired"), kAborted for TLS failures (the reason,
  // and the alert when one was received) and socket errors ("handshake net:
  // Connection reset by peer", "handshake net: connection closed by the
  // peer"). kUnavailable always means "would block".
  absl::Status Handshake();
  uint32_t HandshakeWaitsFor() const { return handshake_wait_; }

  // HandshakeUntil runs Handshake to completion, waiting with poll(2), or
  // fails as Handshake does or with kDeadlineExceeded "handshake net: timed
  // out" once `deadline` passes.
  absl::Status HandshakeUntil(absl::Time deadline);

  // Read returns decrypted bytes, 0 at the peer's close_notify or at a bare
  // EOF (then truncated() is true), kUnavailable, or the error with any
  // alert received: "read net: TLSV1_ALERT_CERTIFICATE_REQUIRED (alert 116
  // received)".
  absl::StatusOr<size_t> Read(absl::Span<char> buf) override;
  absl::StatusOr<size_t> Write(absl::string_view data) override;
  // CloseWrite sends close_notify (once); reading goes on.
  absl::Status CloseWrite() override;
  int fd() const override { return fd_.get(); }
  // HasBufferedInput reports decrypted bytes held by BoringSSL, or (with
  // read-ahead) bytes held in the read-ahead buffer; when those are only part
  // of a record, the Read that takes them reports kUnavailable.
  bool HasBufferedInput() const override;
  // EnableReadAhead makes reads take whatever the socket holds, up to 32 KiB,
  // in one recv(2) instead of two per record (lib/tls/read_ahead_bio.h).
  // Call it before the first Handshake or Read. Afterwards bytes may wait in
  // user space, so a caller must check HasBufferedInput before waiting for
  // the socket to be readable (lib/relay and echod do). Returns false, and
  // changes nothing, when out of memory.
  bool EnableReadAhead();
  // first_bytes_received returns, with read-ahead on, the first bytes (up to
  // 64) the peer sent, whatever they were: a peer that is not a TLS server
  // shows itself there ("SSH-2.0-...", an echo of the ClientHello). Without
  // read-ahead it returns "".
  std::string first_bytes_received() const;
  uint32_t ReadWaitsFor() const override { return read_wait_; }
  uint32_t WriteWaitsFor() const override { return write_wait_; }
  const std::string& name() const override { return name_; }

  SSL* ssl() const { return ssl_.get(); }
  // alert_received and alert_sent return the last alert's description, or -1.
  int alert_received() const { return alert_received_; }
  int alert_sent() const { return alert_sent_; }
  // certificate_requested reports (client) that the server asked for a
  // client certificate.
  bool certificate_requested() const { return certificate_requested_; }
  // truncated reports that the peer closed without close_notify.
  bool truncated() const { return truncated_; }
  // peer_certificate_received reports whether the peer sent a certificate,
  // which is when verify_result means anything.
  bool peer_certificate_received() const;
  // verify_result returns X509_V_OK or the X509_V_ERR_* code of the chain.
  long verify_result() const { return SSL_get_verify_result(ssl_.get()); }
  // has_session reports whether a resumable session has arrived.
  bool has_session() const { return session_ != nullptr; }
  // TakeSession returns the newest resumable session (client), or null.
  bssl::UniquePtr<SSL_SESSION> TakeSession() { return std::move(session_); }
  // handshake_time returns the time from the first Handshake call to its
  // completion (zero before).
  absl::Duration handshake_time() const { return handshake_time_; }

 private:
  TlsStream(io::UniqueFd fd, bssl::UniquePtr<SSL> ssl, std::string name);
  static absl::StatusOr<std::unique_ptr<TlsStream>> Create(const TlsContext& ctx, io::UniqueFd fd,
                                                           std::string name);
  void OnAlert(bool sent, int description) override;
  void OnNewSession(bssl::UniquePtr<SSL_SESSION> session) override;
  void OnCertificateRequest() override { certificate_requested_ = true; }
  // Failure turns a failed SSL_* call's result into a status (kUnavailable
  // with *wait set for want-read/want-write).
  absl::Status Failure(int ret, absl::string_view op, uint32_t* wait);
  std::string AlertSuffix() const;

  io::UniqueFd fd_;
  bssl::UniquePtr<SSL> ssl_;
  std::string name_;
  uint32_t handshake_wait_ = selector::kReadable | selector::kWritable;
  uint32_t read_wait_ = selector::kReadable;
  uint32_t write_wait_ = selector::kWritable;
  int alert_received_ = -1;
  int alert_sent_ = -1;
  bool certificate_requested_ = false;
  bool truncated_ = false;
  bool write_closed_ = false;
  bool read_ahead_ = false;
  bssl::UniquePtr<SSL_SESSION> session_;
  absl::Time handshake_start_ = absl::InfinitePast();
  absl::Duration handshake_time_;
};

}  // namespace ipckit::tls

#endif  // IPCKIT_LIB_TLS_TLS_STREAM_H_
