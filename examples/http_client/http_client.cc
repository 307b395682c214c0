#include "examples/http_client/http_client.h"

#include <poll.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/io/fd.h"
#include "lib/io/wait.h"
#include "lib/net/socket.h"

namespace example {

absl::StatusOr<Response> Get(const std::string& host_port, const std::string& path, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  ipckit::net::ConnectOptions co;
  co.timeout = timeout;
  absl::StatusOr<ipckit::net::Socket> sock = ipckit::net::ConnectTo(host_port, co);
  if (!sock.ok()) return sock.status();
  absl::Status s = ipckit::io::WriteAll(sock->fd(), absl::StrCat("GET ", path, " HTTP/1.0\r\n\r\n"), "write");
  if (!s.ok()) return s;
  std::string all;
  char buf[16384];
  for (;;) {
    absl::StatusOr<bool> ready = ipckit::io::WaitUntil(sock->fd(), POLLIN, deadline, "read");
    if (!ready.ok()) return ready.status();
    if (!*ready) return absl::DeadlineExceededError("read: timed out");
    absl::StatusOr<size_t> n = ipckit::io::ReadOnce(sock->fd(), absl::MakeSpan(buf), "read");
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    all.append(buf, *n);
  }
  size_t head_end = all.find("\r\n\r\n");
  Response r;
  if (all.compare(0, 5, "HTTP/") != 0 || head_end == std::string::npos || all.size() < 12 ||
      !absl::SimpleAtoi(all.substr(9, 3), &r.status)) {
    return absl::DataLossError(absl::StrCat("not an HTTP response: ", all.substr(0, 40)));
  }
  r.body = all.substr(head_end + 4);
  return r;
}

}  // namespace example
