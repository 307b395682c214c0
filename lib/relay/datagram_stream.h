// DatagramStream is an io::Stream over a datagram socket (UDP or Unix datagram)
// that keeps message boundaries: each Read returns exactly one datagram, and
// each Write sends one datagram of at most max_datagram() bytes.
//
// Connected, it talks to its one peer. Unconnected (a -k UDP server), Read
// records each datagram's sender and Write replies to the latest one.
//
// Example:
//
//   DatagramStream net(sock.fd(), "net");             // connected UDP socket
//   absl::StatusOr<size_t> n = net.Read(absl::MakeSpan(buf));  // one datagram
//
// Threads: a DatagramStream is used by one thread at a time.
#ifndef IPCKIT_LIB_RELAY_DATAGRAM_STREAM_H_
#define IPCKIT_LIB_RELAY_DATAGRAM_STREAM_H_

#include <optional>
#include <string>

#include "lib/net/address.h"
#include "lib/io/stream.h"

namespace ipckit::relay {

class DatagramStream : public io::Stream {
 public:
  // kMaxUdpPayload is the largest UDP payload over IPv4: 65,535 - 8 - 20.
  static constexpr size_t kMaxUdpPayload = 65507;

  // DatagramStream uses `fd` without owning it. With `reply_to_sender`, the
  // socket is unconnected and Write goes to the sender of the last Read
  // (or to `first_peer` before any).
  DatagramStream(int fd, std::string name, bool reply_to_sender = false,
                 std::optional<net::SocketAddress> first_peer = std::nullopt)
      : fd_(fd), name_(std::move(name)), reply_to_sender_(reply_to_sender), peer_(first_peer) {}

  // Read receives one datagram into `buf`, which should have MinReadSize()
  // bytes; a longer one fails with kDataLoss "read net: datagram of N bytes
  // truncated". An empty datagram reads as 0 bytes but is not end of input;
  // datagram streams have no end of input, so Read never returns 0 for EOF
  // (use the idle timeout). It returns kUnavailable when none is queued.
  absl::StatusOr<size_t> Read(absl::Span<char> buf) override;

  // Write sends the first min(size, max_datagram()) bytes as one datagram.
  absl::StatusOr<size_t> Write(absl::string_view data) override;

  // CloseWrite sends nothing (a datagram socket has no half-close).
  absl::Status CloseWrite() override { return absl::OkStatus(); }
  int fd() const override { return fd_; }
  size_t MinReadSize() const override { return 65536; }
  const std::string& name() const override { return name_; }

  // peer returns the address replies go to, once known.
  const std::optional<net::SocketAddress>& peer() const { return peer_; }

  size_t max_datagram() const { return kMaxUdpPayload; }

 private:
  int fd_;
  std::string name_;
  bool reply_to_sender_;
  std::optional<net::SocketAddress> peer_;
};

}  // namespace ipckit::relay

#endif  // IPCKIT_LIB_RELAY_DATAGRAM_STREAM_H_
