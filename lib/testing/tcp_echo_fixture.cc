// tcp_echo_fixture is a tiny server for the tests of lib/testing itself: it
// listens on 127.0.0.1:0, prints "listening on 127.0.0.1:PORT", echoes one
// connection until the client half-closes, prints "done N bytes" on stderr
// and exits 0.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "lib/io/fd.h"
#include "lib/io/unique_fd.h"

namespace {

int Fail(const std::string& what) {
  perror(what.c_str());
  return 1;
}

}  // namespace

int main() {
  ipckit::io::UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listener) return Fail("socket");
  struct sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return Fail("bind");
  }
  if (::listen(listener.get(), 1) != 0) return Fail("listen");
  socklen_t len = sizeof(addr);
  if (::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return Fail("getsockname");
  }
  printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
  fflush(stdout);

  ipckit::io::UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!conn) return Fail("accept");
  size_t total = 0;
  char buf[16384];
  for (;;) {
    absl::StatusOr<size_t> n = ipckit::io::ReadOnce(conn.get(), absl::MakeSpan(buf));
    if (!n.ok()) return Fail("read");
    if (*n == 0) break;
    total += *n;
    if (!ipckit::io::WriteAll(conn.get(), absl::string_view(buf, *n)).ok()) return Fail("write");
  }
  fprintf(stderr, "done %zu bytes\n", total);
  return 0;
}
