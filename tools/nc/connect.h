// connect.h: how nc reaches a peer: resolving as netcat-openbsd does,
// connecting to each address in turn (bounded by -w and --wait-for),
// through a -x proxy, to a Unix path; and the client mode, RunConnect.
// scan.h and listen.h use its pieces.
//
// Threads: nc's main thread; Resolving, SockType and Proto are pure.
#ifndef IPCKIT_TOOLS_NC_CONNECT_H_
#define IPCKIT_TOOLS_NC_CONNECT_H_

#include <stdint.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/net/address.h"
#include "lib/net/socket.h"
#include "tools/nc/nc.h"
#include "tools/nc/session.h"
#include "tools/nc/session_log.h"
#include "tools/nc/temp_socket.h"

namespace ipckit::nc {

// Resolving returns the resolver's options for -4/-6/-n/-u; `passive` for
// a listener's or a -s source address.
net::ResolveOptions Resolving(const Settings& o, bool passive);

// SockType is SOCK_DGRAM with -u, else SOCK_STREAM.
int SockType(const Settings& o);

// Proto is "udp" with -u, else "tcp", as netcat-openbsd's lines say.
const char* Proto(const Settings& o);

// ResolveTarget resolves `host` for `port` as netcat-openbsd does, failing
// with its words: getaddrinfo for host "NAME" port 80: Name or service not
// known.
absl::StatusOr<std::vector<net::SocketAddress>> ResolveTarget(const Settings& o, const std::string& host,
                                                              uint16_t port);

// Connection is a connected socket and the address it reached.
struct Connection {
  net::Socket socket;
  net::SocketAddress peer;
};

// ConnectEach tries each of `addrs` in turn, as netcat-openbsd's
// remote_connect: at -v each failure but the last is warned ("connect to
// HOST port 9 (tcp) failed: Connection refused"), and with `warn_last` the
// last too. It returns the connection, or the last failure with that line as
// its message (a -s bind failure: "bind failed: REASON"). Each attempt is
// bounded by -w and by `deadline` (--wait-for's), whichever comes first.
absl::StatusOr<Connection> ConnectEach(const Plan& p, const std::string& host, uint16_t port,
                                       const std::vector<net::SocketAddress>& addrs, Log& log, bool warn_last,
                                       absl::Time deadline = absl::InfiniteFuture());

// ConnectWaiting is ConnectEach, retried while the port is closed (or a try
// times out) until --wait-for runs out, pausing 10ms, then twice as long
// each time up to 0.5s: wait-for-it with a deadline and no spinning.
// Without --wait-for it is ConnectEach. Once the time is up it returns
// kDeadlineExceeded "127.0.0.1 port 9 (tcp) not open after 2s (last:
// Connection refused)", or "(last: timed out)" when the last try was cut
// short by the deadline; other failures (bind, no route) end it at once.
absl::StatusOr<Connection> ConnectWaiting(const Plan& p, const std::string& host, uint16_t port,
                                          const std::vector<net::SocketAddress>& addrs, Log& log, bool warn_last);

// ConnectUnix connects to `t.path`; a datagram client first binds a path of
// its own (printing "Bound on PATH" at -v), so that replies reach it. It
// fails as netcat-openbsd does: "PATH: No such file or directory".
absl::StatusOr<net::Socket> ConnectUnix(const Plan& p, std::optional<ClientSocketPath>* local, Log& log);

// RunConnect is nc's client mode: connect (through -x, to -U's path, or
// waiting with --wait-for) and relay one session, or pass the socket on
// stdout with -F. It fails as Run (nc.h) says.
absl::Status RunConnect(const Plan& p, Log& log, SessionLog* session_log);

}  // namespace ipckit::nc

#endif  // IPCKIT_TOOLS_NC_CONNECT_H_
