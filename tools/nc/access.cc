#include "tools/nc/access.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ipckit::nc {
namespace {

// Normalize returns `given`'s family and address bytes, an IPv4-mapped IPv6
// address as IPv4.
int Normalize(const net::SocketAddress& given, uint8_t out[16]) {
  net::SocketAddress a = given.Unmapped();
  if (a.family() == AF_INET) {
    memcpy(out, &reinterpret_cast<const sockaddr_in*>(a.get())->sin_addr, 4);
    return AF_INET;
  }
  if (a.family() != AF_INET6) return AF_UNSPEC;
  memcpy(out, reinterpret_cast<const sockaddr_in6*>(a.get())->sin6_addr.s6_addr, 16);
  return AF_INET6;
}

bool PrefixEqual(const uint8_t* a, const uint8_t* b, int bits) {
  int bytes = bits / 8;
  if (memcmp(a, b, bytes) != 0) return false;
  int rest = bits % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[bytes] & mask) == (b[bytes] & mask);
}

}  // namespace

absl::StatusOr<std::optional<AccessList::Block>> AccessList::ParseEntry(const char* option,
                                                                       absl::string_view entry) {
  auto invalid = [&] {
    return absl::InvalidArgumentError(absl::StrCat(option, ": invalid entry '", entry, "'"));
  };
  std::string host(entry);
  int prefix = -1;
  size_t slash = entry.find('/');
  if (slash != absl::string_view::npos) {
    host = std::string(entry.substr(0, slash));
    if (!absl::SimpleAtoi(entry.substr(slash + 1), &prefix) || prefix < 0) return invalid();
  }
  Block b = {};
  if (inet_pton(AF_INET, host.c_str(), b.addr) == 1) {
    b.family = AF_INET;
  } else if (inet_pton(AF_INET6, host.c_str(), b.addr) == 1) {
    b.family = AF_INET6;
  } else if (prefix >= 0 || host.empty()) {
    return invalid();
  } else {
    return std::optional<Block>();  // A host name.
  }
  int max = b.family == AF_INET ? 32 : 128;
  if (prefix > max) return invalid();
  b.prefix = prefix < 0 ? max : prefix;
  return std::optional<Block>(b);
}

absl::StatusOr<AccessList> AccessList::Parse(const char* option, const std::vector<std::string>& specs) {
  AccessList list;
  list.option_ = option;
  for (const std::string& spec : specs) {
    for (absl::string_view entry : absl::StrSplit(spec, ',', absl::SkipWhitespace())) {
      absl::StatusOr<std::optional<Block>> b = ParseEntry(option, entry);
      if (!b.ok()) return b.status();
      if (b->has_value()) {
        list.blocks_.push_back(**b);
      } else {
        list.names_.emplace_back(entry);
      }
    }
  }
  return list;
}

absl::Status AccessList::Resolve(bool numeric) {
  for (const std::string& name : names_) {
    net::ResolveOptions r;
    r.numeric = numeric;
    absl::StatusOr<std::vector<net::SocketAddress>> addrs = net::Resolve(name, 0, r);
    if (!addrs.ok()) {
      return absl::Status(addrs.status().code(), absl::StrCat(option_, ": ", addrs.status().message()));
    }
    for (const net::SocketAddress& a : *addrs) {
      Block nb = {};
      nb.family = Normalize(a, nb.addr);
      nb.prefix = nb.family == AF_INET ? 32 : 128;
      blocks_.push_back(nb);
    }
  }
  names_.clear();
  return absl::OkStatus();
}

bool AccessList::Matches(const net::SocketAddress& peer) const {
  uint8_t addr[16] = {};
  int family = Normalize(peer, addr);
  for (const Block& b : blocks_) {
    if (b.family == family && PrefixEqual(b.addr, addr, b.prefix)) return true;
  }
  return false;
}

bool Allowed(const AccessList& allow, const AccessList& deny, const net::SocketAddress& peer) {
  return (allow.empty() || allow.Matches(peer)) && !deny.Matches(peer);
}

}  // namespace ipckit::nc
