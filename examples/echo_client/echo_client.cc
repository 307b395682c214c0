#include "examples/echo_client/echo_client.h"

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "lib/io/fd.h"
#include "lib/net/socket.h"

namespace example {

absl::StatusOr<std::string> Exchange(const std::string& host_port, absl::string_view request,
                                     absl::Duration timeout) {
  ipckit::net::ConnectOptions co;
  co.timeout = timeout;
  absl::StatusOr<ipckit::net::Socket> sock = ipckit::net::ConnectTo(host_port, co);
  if (!sock.ok()) return sock.status();
  // Write and read at once: a large request would otherwise fill both
  // directions' buffers and stall.
  absl::Status sent;
  std::thread writer([&] {
    sent = ipckit::io::WriteAll(sock->fd(), request, "write");
    if (sent.ok()) sent = sock->ShutdownWrite();
  });
  absl::StatusOr<std::string> reply = ipckit::io::ReadToEnd(sock->fd(), "read");
  writer.join();
  if (!reply.ok()) return reply.status();
  if (!sent.ok()) return sent;
  if (reply->size() < request.size() && request.substr(0, reply->size()) == *reply) {
    return absl::DataLossError(absl::StrCat("short echo: ", reply->size(), " of ", request.size(), " bytes"));
  }
  if (*reply != request) {
    size_t i = 0;
    while (i < std::min(reply->size(), request.size()) && (*reply)[i] == request[i]) ++i;
    return absl::DataLossError(absl::StrCat("echo differs at byte ", i));
  }
  return reply;
}

}  // namespace example
