// tls_handshake.cc: the non-blocking TLS handshake and reads of buffered TLS records
// (see worker.h).
#include "tools/echod/worker.h"

#include <sys/socket.h>

#include "lib/selector/selector.h"

namespace ipckit::echod {

// Handshake advances a TLS handshake; once done the connection is served.
void Worker::Handshake(Conn* c) {
  absl::Status s = c->tls->Handshake();
  if (absl::IsUnavailable(s)) {
    uint32_t wait = c->tls->HandshakeWaitsFor();
    Watch(c, ((wait & selector::kReadable) ? uint32_t{EPOLLIN | EPOLLRDHUP} : 0u) |
                 ((wait & selector::kWritable) ? uint32_t{EPOLLOUT} : 0u));
    return;
  }
  if (!s.ok()) {
    Add(counters_->handshake_failures, 1);
    // BoringSSL has sent its alert. Unread input would turn the close into
    // a reset that can overtake the alert: read it away, then FIN.
    while (::recv(c->fd, scratch_->data(), kScratch, MSG_DONTWAIT) > 0) {
    }
    ::shutdown(c->fd, SHUT_WR);
    Close(c, false);
    return;
  }
  Add(counters_->handshakes, 1);
  c->handshaking = false;
  Watch(c, EPOLLIN | EPOLLRDHUP);
  Established(c);
  if (Alive(c) && c->reading) ReadTls(c);
}

// ReadTls reads until BoringSSL holds no decrypted bytes, which epoll
// cannot announce.
void Worker::ReadTls(Conn* c) {
  do {
    Read(c);
  } while (Alive(c) && c->reading && c->tls->HasBufferedInput());
}

}  // namespace ipckit::echod
