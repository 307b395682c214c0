#include "lib/tls/read_ahead_bio.h"

#include <errno.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "lib/io/eintr.h"

namespace ipckit::tls {
namespace {

// Buffered is a read-ahead BIO's state: buf[head, tail) not yet read.
struct Buffered {
  int fd;
  size_t head = 0;
  size_t tail = 0;
  std::string first;  // The first kFirstBytes received.
  char buf[kReadAhead];
};

Buffered* StateOf(const BIO* bio) { return static_cast<Buffered*>(BIO_get_data(const_cast<BIO*>(bio))); }

int Read(BIO* bio, char* out, int len) {
  BIO_clear_retry_flags(bio);
  Buffered* b = StateOf(bio);
  if (len <= 0) return 0;
  size_t want = static_cast<size_t>(len);
  if (b->head == b->tail) {
    b->head = b->tail = 0;
    // A read as large as the buffer goes straight to the caller.
    bool direct = want >= sizeof(b->buf);
    ssize_t n = ::recv(b->fd, direct ? out : b->buf, direct ? want : sizeof(b->buf), 0);
    if (n < 0) {
      if (io::WouldBlock(errno)) BIO_set_retry_read(bio);
      return -1;
    }
    if (b->first.size() < kFirstBytes) {
      b->first.append(direct ? out : b->buf, std::min(static_cast<size_t>(n), kFirstBytes - b->first.size()));
    }
    if (n == 0 || direct) return static_cast<int>(n);
    b->tail = static_cast<size_t>(n);
  }
  size_t give = std::min(want, b->tail - b->head);
  std::memcpy(out, b->buf + b->head, give);
  b->head += give;
  return static_cast<int>(give);
}

int Write(BIO* bio, const char*, int) {
  BIO_clear_retry_flags(bio);
  errno = EBADF;  // A read BIO: SSL writes through its own socket BIO.
  return -1;
}

long Ctrl(BIO* bio, int cmd, long, void* ptr) {
  Buffered* b = StateOf(bio);
  switch (cmd) {
    case BIO_CTRL_PENDING:
      return static_cast<long>(b->tail - b->head);
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_C_GET_FD:
      if (ptr != nullptr) *static_cast<int*>(ptr) = b->fd;
      return b->fd;
    default:
      return 0;
  }
}

int Destroy(BIO* bio) {
  delete StateOf(bio);
  BIO_set_data(bio, nullptr);
  return 1;
}

const BIO_METHOD* Method() {
  static const BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "ipckit read-ahead");
    BIO_meth_set_read(m, Read);
    BIO_meth_set_write(m, Write);
    BIO_meth_set_ctrl(m, Ctrl);
    BIO_meth_set_destroy(m, Destroy);
    return m;
  }();
  return method;
}

}  // namespace

std::string ReadAheadFirstBytes(const BIO* bio) {
  const Buffered* b = StateOf(bio);
  return b != nullptr ? b->first : std::string();
}

bssl::UniquePtr<BIO> NewReadAheadBio(int fd) {
  bssl::UniquePtr<BIO> bio(BIO_new(Method()));
  if (!bio) return nullptr;
  auto* state = new (std::nothrow) Buffered;
  if (state == nullptr) return nullptr;
  state->fd = fd;
  BIO_set_data(bio.get(), state);
  BIO_set_init(bio.get(), 1);
  return bio;
}

}  // namespace ipckit::tls
