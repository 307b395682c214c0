#include "lib/relay/datagram_stream.h"

#include <errno.h>
#include <sys/socket.h>

#include "absl/strings/str_cat.h"
#include "lib/io/eintr.h"

namespace ipckit::relay {

absl::StatusOr<size_t> DatagramStream::Read(absl::Span<char> buf) {
  net::SocketAddress from;
  socklen_t len = net::SocketAddress::capacity();
  ssize_t n = io::RetryEintr([&] {
    len = net::SocketAddress::capacity();
    return ::recvfrom(fd_, buf.data(), buf.size(), MSG_TRUNC, from.mutable_get(), &len);
  });
  if (n < 0) return absl::ErrnoToStatus(errno, absl::StrCat("read ", name_));
  if (reply_to_sender_) {
    from.set_size(len);
    peer_ = from;
  }
  if (static_cast<size_t>(n) > buf.size()) {
    return absl::DataLossError(absl::StrCat("read ", name_, ": datagram of ", n, " bytes truncated"));
  }
  // An empty datagram carries nothing to relay; it is not end of input.
  if (n == 0) return absl::UnavailableError("empty datagram");
  return static_cast<size_t>(n);
}

absl::StatusOr<size_t> DatagramStream::Write(absl::string_view data) {
  size_t len = std::min(data.size(), max_datagram());
  if (reply_to_sender_ && !peer_.has_value()) return len;  // Nobody to reply to yet: dropped.
  ssize_t n = io::RetryEintr([&] {
    return reply_to_sender_ ? ::sendto(fd_, data.data(), len, 0, peer_->get(), peer_->size())
                            : ::send(fd_, data.data(), len, 0);
  });
  if (n < 0) return absl::ErrnoToStatus(errno, absl::StrCat("write ", name_));
  return static_cast<size_t>(n);
}

}  // namespace ipckit::relay
