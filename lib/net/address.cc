#include "lib/net/address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ipckit::net {
namespace {

absl::StatusOr<uint16_t> ParsePortNumber(absl::string_view text) {
  uint32_t n = 0;
  if (text.empty() || text.size() > 5 || !std::all_of(text.begin(), text.end(), ::isdigit) ||
      !absl::SimpleAtoi(text, &n) || n > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("invalid port '", text, "'"));
  }
  return static_cast<uint16_t>(n);
}

}  // namespace

absl::StatusOr<HostPort> SplitHostPort(absl::string_view text) {
  auto invalid = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid address '", text, "': expected HOST:PORT or [IPV6]:PORT"));
  };
  if (absl::StartsWith(text, "[")) {
    size_t close = text.find(']');
    if (close == absl::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return invalid();
    }
    HostPort hp{std::string(text.substr(1, close - 1)), std::string(text.substr(close + 2))};
    if (hp.host.empty() || hp.port.empty()) return invalid();
    return hp;
  }
  size_t colon = text.rfind(':');
  if (colon == absl::string_view::npos || text.find(':') != colon) return invalid();
  HostPort hp{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
  if (hp.port.empty()) return invalid();
  return hp;
}

absl::StatusOr<uint16_t> ParsePort(absl::string_view text) {
  absl::StatusOr<uint16_t> n = ParsePortNumber(text);
  if (n.ok() || text.empty() || std::isdigit(static_cast<unsigned char>(text[0]))) return n;
  std::string name(text);
  struct servent result, *found = nullptr;
  char buf[1024];
  if (::getservbyname_r(name.c_str(), nullptr, &result, buf, sizeof(buf), &found) == 0 &&
      found != nullptr) {
    return static_cast<uint16_t>(ntohs(static_cast<uint16_t>(found->s_port)));
  }
  return absl::InvalidArgumentError(absl::StrCat("invalid port '", text, "'"));
}

absl::StatusOr<std::vector<uint16_t>> ParsePortList(absl::string_view text) {
  std::vector<uint16_t> ports;
  std::set<uint16_t> seen;
  if (text.empty()) return absl::InvalidArgumentError("invalid port ''");
  for (absl::string_view item : absl::StrSplit(text, ',')) {
    size_t dash = item.find('-');
    uint16_t lo, hi;
    if (dash == absl::string_view::npos) {
      absl::StatusOr<uint16_t> p = ParsePort(item);
      if (!p.ok()) return p.status();
      lo = hi = *p;
    } else {
      absl::StatusOr<uint16_t> a = ParsePortNumber(item.substr(0, dash));
      absl::StatusOr<uint16_t> b = ParsePortNumber(item.substr(dash + 1));
      if (!a.ok() || !b.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("invalid port range '", item, "'"));
      }
      // A reversed range is the same ports, ascending (as netcat-openbsd).
      lo = std::min(*a, *b);
      hi = std::max(*a, *b);
    }
    for (uint32_t p = lo; p <= hi; ++p) {
      if (seen.insert(static_cast<uint16_t>(p)).second) ports.push_back(static_cast<uint16_t>(p));
    }
  }
  return ports;
}

SocketAddress::SocketAddress() : len_(0) {
  memset(&storage_, 0, sizeof(storage_));
  storage_.ss_family = AF_UNSPEC;
}

SocketAddress::SocketAddress(const struct sockaddr* sa, socklen_t len) : SocketAddress() {
  len_ = std::min<socklen_t>(len, sizeof(storage_));
  memcpy(&storage_, sa, len_);
}

absl::StatusOr<SocketAddress> SocketAddress::Unix(absl::string_view path) {
  struct sockaddr_un sun = {};
  sun.sun_family = AF_UNIX;
  if (path.empty() || path == "@") return absl::InvalidArgumentError("empty unix socket path");
  if (path.size() > sizeof(sun.sun_path) - 1) {
    return absl::InvalidArgumentError(absl::StrCat("unix path too long (max ",
                                                   sizeof(sun.sun_path) - 1, " bytes): ", path));
  }
  memcpy(sun.sun_path, path.data(), path.size());
  bool abstract = path[0] == '@';
  if (abstract) sun.sun_path[0] = '\0';
  // Abstract names are exactly as long as given; paths end with a NUL.
  socklen_t len = static_cast<socklen_t>(offsetof(struct sockaddr_un, sun_path) + path.size() +
                                         (abstract ? 0 : 1));
  return SocketAddress(reinterpret_cast<struct sockaddr*>(&sun), len);
}

absl::StatusOr<SocketAddress> SocketAddress::Numeric(absl::string_view host, uint16_t port) {
  std::string h(absl::StripSuffix(absl::StripPrefix(host, "["), "]"));
  struct sockaddr_in sin = {};
  if (::inet_pton(AF_INET, h.c_str(), &sin.sin_addr) == 1) {
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    return SocketAddress(reinterpret_cast<struct sockaddr*>(&sin), sizeof(sin));
  }
  struct sockaddr_in6 sin6 = {};
  if (::inet_pton(AF_INET6, h.c_str(), &sin6.sin6_addr) == 1) {
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(port);
    return SocketAddress(reinterpret_cast<struct sockaddr*>(&sin6), sizeof(sin6));
  }
  return absl::InvalidArgumentError(absl::StrCat("not a numeric address: '", host, "'"));
}

uint16_t SocketAddress::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return 0;
}

void SocketAddress::set_port(uint16_t port) {
  if (family() == AF_INET) reinterpret_cast<sockaddr_in*>(&storage_)->sin_port = htons(port);
  if (family() == AF_INET6) reinterpret_cast<sockaddr_in6*>(&storage_)->sin6_port = htons(port);
}

bool SocketAddress::IsAbstract() const {
  const auto* sun = reinterpret_cast<const sockaddr_un*>(&storage_);
  return is_unix() && len_ > offsetof(struct sockaddr_un, sun_path) && sun->sun_path[0] == '\0';
}

SocketAddress SocketAddress::Unmapped() const {
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage_);
  if (family() != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) return *this;
  sockaddr_in v4 = {};
  v4.sin_family = AF_INET;
  v4.sin_port = v6->sin6_port;
  memcpy(&v4.sin_addr, v6->sin6_addr.s6_addr + 12, 4);
  return SocketAddress(reinterpret_cast<const sockaddr*>(&v4), sizeof(v4));
}

std::string SocketAddress::Host() const {
  char buf[INET6_ADDRSTRLEN] = "";
  if (family() == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, buf, sizeof(buf));
    return buf;
  }
  if (family() == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, buf,
                sizeof(buf));
    return buf;
  }
  if (is_unix()) {
    const auto* sun = reinterpret_cast<const sockaddr_un*>(&storage_);
    size_t off = offsetof(struct sockaddr_un, sun_path);
    if (len_ <= off) return "";
    size_t n = len_ - off;
    if (IsAbstract()) return absl::StrCat("@", absl::string_view(sun->sun_path + 1, n - 1));
    return std::string(sun->sun_path, strnlen(sun->sun_path, n));
  }
  return "";
}

std::string SocketAddress::ToString() const {
  if (family() == AF_INET) return absl::StrCat(Host(), ":", port());
  if (family() == AF_INET6) return absl::StrCat("[", Host(), "]:", port());
  if (is_unix()) return IsAbstract() || len_ > offsetof(struct sockaddr_un, sun_path) + 1 ? Host() : "(unnamed)";
  return "(unspecified)";
}

bool operator==(const SocketAddress& a, const SocketAddress& b) {
  return a.len_ == b.len_ && memcmp(&a.storage_, &b.storage_, a.len_) == 0;
}

absl::StatusOr<std::vector<SocketAddress>> Resolve(absl::string_view host, uint16_t port,
                                                   const ResolveOptions& options) {
  std::string h(absl::StripSuffix(absl::StripPrefix(host, "["), "]"));
  struct addrinfo hints = {};
  hints.ai_family = options.family == Family::kIPv4   ? AF_INET
                    : options.family == Family::kIPv6 ? AF_INET6
                                                      : AF_UNSPEC;
  hints.ai_socktype = options.socktype;
  hints.ai_flags = AI_NUMERICSERV | (options.numeric ? AI_NUMERICHOST : 0) |
                   (options.passive ? AI_PASSIVE : 0);
  std::vector<SocketAddress> out;
  if (h.empty() && options.passive) {
    // The wildcard: "::" is dual-stack (listeners clear IPV6_V6ONLY).
    if (options.family != Family::kIPv4) out.push_back(*SocketAddress::Numeric("::", port));
    if (options.family != Family::kIPv6) out.push_back(*SocketAddress::Numeric("0.0.0.0", port));
    return out;
  }
  std::string service = absl::StrCat(port);
  struct addrinfo* res = nullptr;
  int rc = ::getaddrinfo(h.empty() ? nullptr : h.c_str(), service.c_str(), &hints, &res);
  if (rc != 0) {
    if (options.numeric && rc == EAI_NONAME && !SocketAddress::Numeric(h, port).ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("resolve ", host, ": not a numeric address (-n)"));
    }
    std::string msg = absl::StrCat("resolve ", h.empty() ? "(none)" : h, ": ",
                                   rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
    if (rc == EAI_AGAIN) return absl::UnavailableError(msg);
    if (rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_ADDRFAMILY) return absl::NotFoundError(msg);
    return absl::InvalidArgumentError(msg);
  }
  for (struct addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    SocketAddress a(ai->ai_addr, ai->ai_addrlen);
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
  ::freeaddrinfo(res);
  return out;
}

absl::StatusOr<SocketAddress> ResolveListen(absl::string_view host, uint16_t port, int socktype, bool numeric) {
  ResolveOptions r;
  r.passive = true;
  r.numeric = numeric;
  r.socktype = socktype;
  absl::StatusOr<std::vector<SocketAddress>> addrs = Resolve(host, port, r);
  if (!addrs.ok()) return addrs.status();
  return addrs->front();
}

}  // namespace ipckit::net
