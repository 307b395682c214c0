#include "examples/relay_fixture/retrying_client.h"

#include <poll.h>

#include "absl/strings/str_cat.h"
#include "lib/io/fd.h"
#include "lib/io/wait.h"
#include "lib/net/socket.h"

namespace example {

absl::StatusOr<std::string> Call(const std::string& host_port, absl::string_view request, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  ipckit::net::ConnectOptions co;
  co.timeout = timeout;
  absl::StatusOr<ipckit::net::Socket> sock = ipckit::net::ConnectTo(host_port, co);
  if (!sock.ok()) return sock.status();
  absl::Status s = ipckit::io::WriteAll(sock->fd(), request, "write");  // Small requests: fits the buffers.
  if (s.ok()) s = sock->ShutdownWrite();
  if (!s.ok()) return s;
  std::string reply;
  char buf[4096];
  for (;;) {
    absl::StatusOr<bool> ready = ipckit::io::WaitUntil(sock->fd(), POLLIN, deadline, "read");
    if (!ready.ok()) return ready.status();
    if (!*ready) return absl::DeadlineExceededError(absl::StrCat("timed out after ", absl::FormatDuration(timeout)));
    absl::StatusOr<size_t> n = ipckit::io::ReadOnce(sock->fd(), absl::MakeSpan(buf), "read");
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    reply.append(buf, *n);
  }
  if (reply != request) {
    return absl::DataLossError(absl::StrCat("short reply: ", reply.size(), " of ", request.size(), " bytes"));
  }
  return reply;
}

Outcome CallWithRetry(const std::string& host_port, absl::string_view request, absl::Duration timeout, int tries) {
  Outcome o{absl::UnknownError("no tries"), 0};
  while (o.tries < tries) {
    ++o.tries;
    o.reply = Call(host_port, request, timeout);
    const absl::Status& s = o.reply.status();
    bool transient = absl::IsDeadlineExceeded(s) || absl::IsDataLoss(s) || absl::IsAborted(s);
    if (o.reply.ok() || !transient) break;
  }
  return o;
}

}  // namespace example
