// read_ahead_bio.h is a BoringSSL read BIO over a socket that reads ahead:
// one recv(2) of up to kReadAhead bytes, served to BoringSSL from a buffer.
// BoringSSL reads exactly what it needs -- a record's 5-byte header, then
// its body -- so a plain socket BIO costs two recv calls per record; this
// one costs one per batch of records. Bytes it holds are invisible to
// epoll, so an owner must check BIO_pending before waiting for the socket
// to become readable (TlsStream::HasBufferedInput does). When they are only
// part of a record, one more SSL_read takes them and reports want-read,
// after which BIO_pending is 0: a caller that reads while bytes are pending
// never spins.
//
// Example:
//
//   bssl::UniquePtr<BIO> rbio = NewReadAheadBio(fd);
//   SSL_set0_rbio(ssl, rbio.release());  // Writes keep SSL_set_fd's BIO.
//   ...
//   if (BIO_pending(SSL_get_rbio(ssl)) == 0) { ...wait for readable... }
//
// Threads: a read-ahead BIO belongs to one connection and is used by the
// thread that drives it.
#ifndef IPCKIT_LIB_TLS_READ_AHEAD_BIO_H_
#define IPCKIT_LIB_TLS_READ_AHEAD_BIO_H_

#include <openssl/bio.h>
#include <openssl/base.h>
#include <stddef.h>

#include <string>

namespace ipckit::tls {

// kReadAhead is the most one recv reads: a full TLS record (16 KiB of data
// plus header and overhead) and then some.
constexpr size_t kReadAhead = 32 * 1024;

// NewReadAheadBio returns a read BIO over `fd` (not owned; a non-blocking
// socket), or null when out of memory. Reads follow BIO conventions: bytes,
// 0 at EOF, or -1 with errno and, for EAGAIN/EINTR, the retry-read flag.
// BIO_pending returns the bytes it holds.
bssl::UniquePtr<BIO> NewReadAheadBio(int fd);

// kFirstBytes is how many of the first bytes received a read-ahead BIO keeps.
constexpr size_t kFirstBytes = 64;

// ReadAheadFirstBytes returns the first bytes (up to kFirstBytes) that
// `bio`, a BIO from NewReadAheadBio, has received: what a peer that does
// not speak TLS said, for the error message.
std::string ReadAheadFirstBytes(const BIO* bio);

}  // namespace ipckit::tls

#endif  // IPCKIT_LIB_TLS_READ_AHEAD_BIO_H_
