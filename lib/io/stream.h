// stream.h: Stream is one direction-capable end of a relay: something to
// read from, write to, and half-close. It lives in lib/io so that lib/relay,
// which moves bytes between Streams without knowing what they are, and
// lib/tls, whose TlsStream runs TLS over a socket, are siblings. FdStream is
// a plain descriptor (pipe, file, tty, socket), DatagramStream (lib/relay)
// keeps message boundaries, and nc's LoggedStream records the bytes that
// pass.
//
// Threads: a Stream is used by one thread at a time.
//
// Streams are used non-blocking when their descriptor is: Read and Write
// return kUnavailable when they would block, and the relay waits for the
// events ReadWaitsFor()/WriteWaitsFor() name (a TLS stream may need the
// socket writable to make progress on a read).
//
// Example:
//
//   FdStream in(STDIN_FILENO, "stdin");
//   FdStream net(sock.fd(), "net", FdStream::Kind::kSocket);
//   absl::StatusOr<size_t> n = in.Read(absl::MakeSpan(buf));  // 0 at EOF
#ifndef IPCKIT_LIB_IO_STREAM_H_
#define IPCKIT_LIB_IO_STREAM_H_

#include <stdint.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lib/io/unique_fd.h"
#include "lib/selector/selector.h"

namespace ipckit::io {

class Stream {
 public:
  virtual ~Stream() = default;

  // Read reads into `buf` and returns the count, 0 at end of input, or
  // kUnavailable when nothing can be read now, or the error with the
  // stream's name: "read net: Connection reset by peer".
  virtual absl::StatusOr<size_t> Read(absl::Span<char> buf) = 0;

  // Write writes a prefix of `data` and returns its length (> 0), or
  // kUnavailable when nothing can be written now, or the error:
  // "write stdout: Broken pipe".
  virtual absl::StatusOr<size_t> Write(absl::string_view data) = 0;

  // CloseWrite tells the other side that no more data comes (a socket's
  // shutdown(SHUT_WR); other descriptors are closed), or returns the error.
  virtual absl::Status CloseWrite() = 0;

  // fd returns the descriptor whose readiness the relay waits for.
  virtual int fd() const = 0;

  // ReadWaitsFor and WriteWaitsFor return the events (kReadable, kWritable)
  // to wait for after Read or Write returned kUnavailable.
  virtual uint32_t ReadWaitsFor() const { return selector::kReadable; }
  virtual uint32_t WriteWaitsFor() const { return selector::kWritable; }

  // MinReadSize returns the buffer space Read needs to lose nothing (a
  // datagram stream needs room for a whole datagram).
  virtual size_t MinReadSize() const { return 1; }

  // HasBufferedInput reports whether Read would return bytes already held in
  // user space (a TLS stream's decrypted record), which no readiness event
  // announces; the relay reads such a stream without waiting.
  virtual bool HasBufferedInput() const { return false; }

  // IsPlain reports whether the bytes of fd() are the stream's bytes, so
  // the relay may move them with splice(2).
  virtual bool IsPlain() const { return false; }

  // name returns the name used in error messages ("stdin", "net").
  virtual const std::string& name() const = 0;
};

// FdStream is a Stream over one descriptor, owned or not.
class FdStream : public Stream {
 public:
  enum class Kind { kSocket, kOther };

  // FdStream(fd, name, kind) uses `fd` without owning it.
  FdStream(int fd, std::string name, Kind kind = Kind::kOther)
      : fd_(fd), name_(std::move(name)), kind_(kind) {}
  // FdStream(owned, name, kind) owns `owned` and closes it when destroyed.
  FdStream(io::UniqueFd owned, std::string name, Kind kind = Kind::kOther)
      : fd_(owned.get()), owned_(std::move(owned)), name_(std::move(name)), kind_(kind) {}

  absl::StatusOr<size_t> Read(absl::Span<char> buf) override;
  absl::StatusOr<size_t> Write(absl::string_view data) override;
  // CloseWrite shuts a socket down for writing; any other descriptor is
  // closed (an unowned one is replaced by /dev/null, keeping its number).
  absl::Status CloseWrite() override;
  int fd() const override { return fd_; }
  bool IsPlain() const override { return true; }
  const std::string& name() const override { return name_; }

 private:
  int fd_;
  io::UniqueFd owned_;
  std::string name_;
  Kind kind_;
  bool write_closed_ = false;
};

// ForwardingStream passes every call to `inner` (not owned); a stream that
// watches or changes some calls (nc's LoggedStream, relay's DumpStream)
// derives from it and overrides those. It is never plain (no splice), since
// its bytes must pass through user space to be seen.
class ForwardingStream : public Stream {
 public:
  explicit ForwardingStream(Stream* inner) : inner_(inner) {}
  absl::StatusOr<size_t> Read(absl::Span<char> buf) override { return inner_->Read(buf); }
  absl::StatusOr<size_t> Write(absl::string_view data) override { return inner_->Write(data); }
  absl::Status CloseWrite() override { return inner_->CloseWrite(); }
  int fd() const override { return inner_->fd(); }
  uint32_t ReadWaitsFor() const override { return inner_->ReadWaitsFor(); }
  uint32_t WriteWaitsFor() const override { return inner_->WriteWaitsFor(); }
  size_t MinReadSize() const override { return inner_->MinReadSize(); }
  bool HasBufferedInput() const override { return inner_->HasBufferedInput(); }
  const std::string& name() const override { return inner_->name(); }

 protected:
  Stream* inner() const { return inner_; }

 private:
  Stream* inner_;
};

}  // namespace ipckit::io

#endif  // IPCKIT_LIB_IO_STREAM_H_
