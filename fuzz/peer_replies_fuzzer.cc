// peer_replies_fuzzer: what a hostile peer can answer before TLS starts:
// STARTTLS dialogues (all six protocols) and SOCKS5 / HTTP CONNECT proxy
// replies, fed over a socketpair. The first byte picks the dialogue.
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/io/fd.h"
#include "lib/io/unique_fd.h"
#include "lib/net/proxy.h"
#include "tools/tlsprobe/starttls.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 60000) return 0;  // The reply must fit the socket buffer.
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return 0;
  ipckit::io::UniqueFd client(sv[0]), server(sv[1]);
  int buf = 1 << 20;
  ::setsockopt(server.get(), SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
  // The peer's whole answer is waiting, then it closes: no dialogue can block.
  (void)ipckit::io::WriteAll(server.get(), absl::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  ::shutdown(server.get(), SHUT_WR);
  absl::Time deadline = absl::Now() + absl::Milliseconds(200);
  absl::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  int which = data[0] % 15;
  if (which >= 9) {
    auto protocol = static_cast<ipckit::tlsprobe::StarttlsProtocol>(which - 2);  // kLmtp..kLdap.
    (void)ipckit::tlsprobe::Starttls(client.get(), protocol, "fuzz.test", deadline);
  } else if (which < 6) {
    auto protocol = static_cast<ipckit::tlsprobe::StarttlsProtocol>(which + 1);
    (void)ipckit::tlsprobe::Starttls(client.get(), protocol, "fuzz.test", deadline);
  } else if (which == 6) {
    ipckit::net::ProxyRequest r{"example.org", 443, "user", "pw"};
    (void)ipckit::net::ProxyConnect(client.get(), ipckit::net::ProxyProtocol::kSocks5, r, deadline);
  } else if (which == 7) {
    ipckit::net::ProxyRequest r{"::1", 22, "", ""};
    (void)ipckit::net::ProxyConnect(client.get(), ipckit::net::ProxyProtocol::kHttpConnect, r, deadline);
  } else {
    (void)ipckit::net::CheckConnectReply(text, "h:1");
    int code;
    (void)ipckit::tlsprobe::SmtpReplyEnd(text, &code);
  }
  return 0;
}
