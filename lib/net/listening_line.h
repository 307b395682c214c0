// listening_line.h: the readiness lines servers print, read back into an
// address. Two dialects are understood:
//
//   ipckit's (echod, relay), anywhere in the line:
//     "listening on 127.0.0.1:4000 (tcp)"      -> "127.0.0.1:4000"
//     "nc: listening on [::1]:5"                -> "[::1]:5"
//     "listening on /tmp/e.sock (unix+tls)"     -> "/tmp/e.sock"
//   and socat -d -d's, which names the address family first:
//     "socat[7] N listening on AF=2 0.0.0.0:41234"   -> "0.0.0.0:41234"
//     "socat[7] N listening on AF=1 \"/tmp/s.sock\"" -> "/tmp/s.sock"
//   netcat-openbsd's (and ipckit nc -v), at the start of the line:
//     "Listening on localhost 41234"            -> "localhost:41234"
//     "Bound on :: 41234"       (a UDP socket)  -> "[::]:41234"
//     "Listening on s.sock", "Bound on d.sock"  -> "s.sock", "d.sock"
//
// Threads: pure functions: any thread.
#ifndef IPCKIT_LIB_NET_LISTENING_LINE_H_
#define IPCKIT_LIB_NET_LISTENING_LINE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace ipckit::net {

// FormatListeningLine returns the line an ipckit server prints once it
// listens: "listening on ADDR (TRANSPORT)", e.g. "listening on
// 127.0.0.1:4000 (tcp)", "listening on /tmp/e.sock (unix+tls)";
// ListeningAddress reads ADDR back.
std::string FormatListeningLine(absl::string_view address, absl::string_view transport);

// ListeningAddress returns the address `line` announces (HOST:PORT, with
// brackets around an IPv6 host, or a socket path), or "" when it announces
// none. A Unix stream listener of netcat-openbsd prints "Bound on PATH" and
// then "Listening on PATH": readers that count listeners should count an
// address repeated on consecutive lines once.
std::string ListeningAddress(absl::string_view line);

}  // namespace ipckit::net

#endif  // IPCKIT_LIB_NET_LISTENING_LINE_H_
