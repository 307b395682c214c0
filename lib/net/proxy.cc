#include "lib/net/proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <climits>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/io/eintr.h"
#include "lib/io/fd.h"
#include "lib/io/wait.h"

namespace ipckit::net {
namespace {

constexpr size_t kMaxHead = 16 * 1024;

absl::Status Wait(int fd, short events, absl::Time deadline) {
  absl::StatusOr<bool> ready = io::WaitUntil(fd, events, deadline, "proxy");
  if (!ready.ok()) return ready.status();
  return *ready ? absl::OkStatus() : absl::DeadlineExceededError("proxy: timed out");
}

absl::Status Send(int fd, absl::string_view data, absl::Time deadline) {
  while (!data.empty()) {
    absl::StatusOr<size_t> n = io::WriteOnce(fd, data, "proxy: write");
    if (n.ok()) {
      data.remove_prefix(*n);
      continue;
    }
    if (!absl::IsUnavailable(n.status())) return n.status();
    if (absl::Status s = Wait(fd, POLLOUT, deadline); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// ReadExactly reads exactly buf.size() bytes by `deadline`. It waits for
// each piece before reading it: on a blocking socket a read would wait for a
// silent proxy past any deadline.
absl::Status ReadExactly(int fd, absl::Span<char> buf, absl::Time deadline) {
  size_t done = 0;
  while (done < buf.size()) {
    if (absl::Status s = Wait(fd, POLLIN, deadline); !s.ok()) return s;
    absl::StatusOr<size_t> n = io::ReadOnce(fd, buf.subspan(done), "proxy: read");
    if (n.ok() && *n == 0) return absl::AbortedError("proxy: connection closed by the proxy");
    if (n.ok()) {
      done += *n;
      continue;
    }
    if (!absl::IsUnavailable(n.status())) return n.status();
  }
  return absl::OkStatus();
}

// ReadHead reads an HTTP head through its blank line and nothing more: it
// peeks, then consumes exactly up to the end of the head.
absl::StatusOr<std::string> ReadHead(int fd, absl::Time deadline) {
  std::string head;
  char buf[4096];
  while (true) {
    if (absl::Status s = Wait(fd, POLLIN, deadline); !s.ok()) return s;
    ssize_t n = ::recv(fd, buf, sizeof(buf), MSG_PEEK);
    if (n < 0) {
      if (io::WouldBlock(errno)) continue;  // Wait again.
      return absl::ErrnoToStatus(errno, "proxy: read");
    }
    if (n == 0) return absl::AbortedError("proxy: connection closed by the proxy");
    std::string window = head.substr(head.size() >= 3 ? head.size() - 3 : 0) + std::string(buf, n);
    size_t end = window.find("\r\n\r\n");
    size_t take = static_cast<size_t>(n);
    if (end != std::string::npos) take = end + 4 - (window.size() - static_cast<size_t>(n));
    std::string got(take, '\0');
    if (absl::Status s = ReadExactly(fd, absl::MakeSpan(got), deadline); !s.ok()) return s;
    head += got;
    if (end != std::string::npos) return head;
    if (head.size() > kMaxHead) return absl::AbortedError("proxy: reply head too long");
  }
}

bool IsIp(const std::string& host, int* family, unsigned char* out) {
  if (inet_pton(AF_INET, host.c_str(), out) == 1) {
    *family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, host.c_str(), out) == 1) {
    *family = AF_INET6;
    return true;
  }
  return false;
}

std::string HostPort(const ProxyRequest& r) {
  return r.host.find(':') != std::string::npos ? absl::StrCat("[", r.host, "]:", r.port)
                                               : absl::StrCat(r.host, ":", r.port);
}

absl::Status Socks5(int fd, const ProxyRequest& r, absl::Time deadline) {
  bool auth = !r.user.empty();
  std::string hello = auth ? std::string("\x05\x02\x00\x02", 4) : std::string("\x05\x01\x00", 3);
  if (absl::Status s = Send(fd, hello, deadline); !s.ok()) return s;
  char choice[2];
  if (absl::Status s = ReadExactly(fd, absl::MakeSpan(choice), deadline); !s.ok()) return s;
  if (choice[0] != 5) return absl::AbortedError("proxy: not a SOCKS5 proxy");
  uint8_t method = static_cast<uint8_t>(choice[1]);
  if (method == 0xff) {
    return absl::PermissionDeniedError(auth ? "proxy: SOCKS5: no acceptable authentication method"
                                            : "proxy: SOCKS5: authentication required (use -P)");
  }
  if (method == 2) {
    if (!auth) return absl::AbortedError("proxy: SOCKS5 chose user/password, which was not offered");
    if (r.user.size() > 255 || r.password.size() > 255) {
      return absl::InvalidArgumentError("proxy: SOCKS5 user and password are limited to 255 bytes");
    }
    std::string up = absl::StrCat(std::string(1, '\x01'), std::string(1, static_cast<char>(r.user.size())), r.user,
                                  std::string(1, static_cast<char>(r.password.size())), r.password);
    if (absl::Status s = Send(fd, up, deadline); !s.ok()) return s;
    char st[2];
    if (absl::Status s = ReadExactly(fd, absl::MakeSpan(st), deadline); !s.ok()) return s;
    if (st[1] != 0) return absl::PermissionDeniedError("proxy: SOCKS5: user or password rejected");
  } else if (method != 0) {
    return absl::AbortedError(absl::StrCat("proxy: SOCKS5 chose method ", method, ", which was not offered"));
  }
  std::string req("\x05\x01\x00", 3);
  unsigned char ip[16];
  int family = 0;
  if (IsIp(r.host, &family, ip)) {
    req += family == AF_INET ? '\x01' : '\x04';
    req.append(reinterpret_cast<char*>(ip), family == AF_INET ? 4 : 16);
  } else {
    if (r.host.size() > 255) return absl::InvalidArgumentError("proxy: SOCKS5 host names are limited to 255 bytes");
    req += '\x03';
    req += static_cast<char>(r.host.size());
    req += r.host;
  }
  req += static_cast<char>(r.port >> 8);
  req += static_cast<char>(r.port & 0xff);
  if (absl::Status s = Send(fd, req, deadline); !s.ok()) return s;
  char head[5];  // VER REP RSV ATYP and the first address byte.
  if (absl::Status s = ReadExactly(fd, absl::MakeSpan(head), deadline); !s.ok()) return s;
  if (head[0] != 5) return absl::AbortedError("proxy: bad SOCKS5 reply");
  uint8_t rep = static_cast<uint8_t>(head[1]);
  size_t rest;
  switch (head[3]) {
    case 1: rest = 4 - 1 + 2; break;
    case 4: rest = 16 - 1 + 2; break;
    case 3: rest = static_cast<uint8_t>(head[4]) + 2; break;
    default: return absl::AbortedError("proxy: bad SOCKS5 reply address type");
  }
  std::string tail(rest, '\0');
  if (absl::Status s = ReadExactly(fd, absl::MakeSpan(tail), deadline); !s.ok()) return s;
  if (rep != 0) {
    return absl::UnavailableError(absl::StrCat("proxy: SOCKS5: ", HostPort(r), ": ", Socks5ReplyText(rep)));
  }
  return absl::OkStatus();
}

absl::Status HttpConnect(int fd, const ProxyRequest& r, absl::Time deadline) {
  std::string target = HostPort(r);
  std::string req = absl::StrCat("CONNECT ", target, " HTTP/1.0\r\nHost: ", target, "\r\n");
  if (!r.user.empty()) {
    absl::StrAppend(&req, "Proxy-Authorization: Basic ", absl::Base64Escape(absl::StrCat(r.user, ":", r.password)),
                    "\r\n");
  }
  req += "\r\n";
  if (absl::Status s = Send(fd, req, deadline); !s.ok()) return s;
  absl::StatusOr<std::string> head = ReadHead(fd, deadline);
  if (!head.ok()) return head.status();
  return CheckConnectReply(*head, target);
}

}  // namespace

absl::StatusOr<ProxyProtocol> ParseProxyProtocol(absl::string_view text) {
  std::string t = absl::AsciiStrToLower(text);
  if (t == "5") return ProxyProtocol::kSocks5;
  if (t == "connect") return ProxyProtocol::kHttpConnect;
  return absl::InvalidArgumentError(
      absl::StrCat("-X: unsupported proxy protocol '", text, "' (want 5 or connect)"));
}

std::string Socks5ReplyText(uint8_t code) {
  switch (code) {
    case 0: return "succeeded";
    case 1: return "general SOCKS server failure";
    case 2: return "connection not allowed by ruleset";
    case 3: return "network unreachable";
    case 4: return "host unreachable";
    case 5: return "connection refused";
    case 6: return "TTL expired";
    case 7: return "command not supported";
    case 8: return "address type not supported";
  }
  return absl::StrCat("reply code ", code);
}

absl::Status CheckConnectReply(absl::string_view head, absl::string_view target) {
  absl::string_view status_line = head.substr(0, head.find("\r\n"));
  std::vector<absl::string_view> parts = absl::StrSplit(status_line, absl::MaxSplits(' ', 2));
  int code = 0;
  if (parts.size() < 2 || !absl::StartsWith(parts[0], "HTTP/1.") || parts[1].size() != 3 ||
      !absl::SimpleAtoi(parts[1], &code)) {
    return absl::AbortedError(absl::StrCat("proxy: not an HTTP reply: ", absl::CEscape(status_line.substr(0, 80))));
  }
  if (code >= 200 && code < 300) return absl::OkStatus();
  std::string shown = absl::StrCat(code, parts.size() > 2 ? absl::StrCat(" ", parts[2]) : "");
  if (code == 407) return absl::PermissionDeniedError(absl::StrCat("proxy: authentication required (", shown, ")"));
  return absl::UnavailableError(absl::StrCat("proxy: CONNECT ", target, ": ", shown));
}

absl::Status ProxyConnect(int fd, ProxyProtocol protocol, const ProxyRequest& request, absl::Time deadline) {
  return protocol == ProxyProtocol::kSocks5 ? Socks5(fd, request, deadline) : HttpConnect(fd, request, deadline);
}

}  // namespace ipckit::net
