// report.h: the lines netcat-openbsd (Debian 1.219) prints at -v, word for
// word, so that scripts written against it read ipckit's nc the same way:
//
//   Listening on localhost 41234            (TCP listener; -n: 127.0.0.1)
//   Bound on localhost 41234                (UDP listener, Unix socket bound)
//   Listening on s.sock                     (Unix stream listener)
//   Connection received on localhost 50312  (a client; Unix: the path)
//   Connection to 127.0.0.1 41234 port [tcp/*] succeeded!
//   connect to 127.0.0.1 port 9 (tcp) failed: Connection refused
//
// The warnings (the last form) are printed after "nc: ", as err(3) does.
//
// Threads: pure formatting: any thread.
#ifndef IPCKIT_TOOLS_NC_REPORT_H_
#define IPCKIT_TOOLS_NC_REPORT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "lib/net/address.h"

namespace ipckit::nc {

// HostName returns `addr`'s host as getnameinfo(3) gives it: numeric with
// `numeric` (nc -n), else its name where one is known ("localhost"), else
// numeric. A Unix address returns its path.
std::string HostName(const net::SocketAddress& addr, bool numeric);

// ReportSock returns "MSG on HOST PORT" for an IP address, or "MSG on PATH"
// when `path` is given (Unix sockets are reported by the path as typed).
std::string ReportSock(absl::string_view msg, const net::SocketAddress& addr, bool numeric,
                       absl::string_view path = "");

// ConnectionInfo returns "Connection to HOST[ (IP)] PORT port [PROTO/SERVICE]
// succeeded!": HOST as typed, IP when it differs from HOST (not with
// `numeric` or through a proxy), SERVICE from /etc/services unless `numeric`
// ("*" when there is none).
std::string ConnectionInfo(absl::string_view host, uint16_t port, absl::string_view proto,
                           absl::string_view ip, bool numeric, bool via_proxy);

// ConnectFailed returns "connect to HOST[ (IP)] port PORT (PROTO) failed:
// REASON", where REASON is `status`'s errno text ("Connection refused"); for
// kDeadlineExceeded netcat-openbsd's "... (tcp) timed out: Operation now in
// progress".
std::string ConnectFailed(absl::string_view host, uint16_t port, absl::string_view proto,
                          absl::string_view ip, bool numeric, const absl::Status& status);

// Reason returns the part of `status`'s message after its last ": " (the
// strerror or gai_strerror text), or the whole message when there is none.
std::string Reason(const absl::Status& status);

}  // namespace ipckit::nc

#endif  // IPCKIT_TOOLS_NC_REPORT_H_
