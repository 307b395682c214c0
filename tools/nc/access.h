// access.h: ncat's --allow and --deny for nc's listeners: which clients are
// served. An entry is an IP address (192.0.2.7, ::1), a CIDR block
// (10.0.0.0/8, fd00::/8) or a host name (every address it resolves to);
// entries are separated by commas or given in several options. An IPv4
// client reaching a dual-stack listener (::ffff:192.0.2.7) matches IPv4
// entries.
#ifndef IPCKIT_TOOLS_NC_ACCESS_H_
#define IPCKIT_TOOLS_NC_ACCESS_H_

#include <stdint.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/net/address.h"

namespace ipckit::nc {

class AccessList {
 public:
  // Parse returns the list of `specs` (each possibly comma-separated), or
  // kInvalidArgument "--allow: invalid entry '10.0.0.0/33'", or the
  // resolution error of a name (with `numeric`, names are refused).
  static absl::StatusOr<AccessList> Parse(const char* option, const std::vector<std::string>& specs,
                                          bool numeric);

  // CheckSyntax returns OK when every entry of `specs` is an address, a CIDR
  // block or a host name (names are not resolved), else Parse's
  // kInvalidArgument.
  static absl::Status CheckSyntax(const char* option, const std::vector<std::string>& specs);

  // Matches reports whether `peer` is in the list.
  bool Matches(const net::SocketAddress& peer) const;

  bool empty() const { return blocks_.empty(); }

 private:
  struct Block {
    int family;       // AF_INET or AF_INET6.
    uint8_t addr[16];
    int prefix;       // Bits that must match.
  };
  // ParseEntry returns the block one entry names, nullopt for a host name,
  // or kInvalidArgument.
  static absl::StatusOr<std::optional<Block>> ParseEntry(const char* option, absl::string_view entry);

  std::vector<Block> blocks_;
};

// Allowed reports whether `peer` may be served: in `allow` (or `allow` is
// empty) and not in `deny`.
bool Allowed(const AccessList& allow, const AccessList& deny, const net::SocketAddress& peer);

}  // namespace ipckit::nc

#endif  // IPCKIT_TOOLS_NC_ACCESS_H_
