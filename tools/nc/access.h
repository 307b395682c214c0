// access.h: ncat's --allow and --deny for nc's listeners: which clients are
// served. An entry is an IP address (192.0.2.7, ::1), a CIDR block
// (10.0.0.0/8, fd00::/8) or a host name (every address it resolves to);
// entries are separated by commas or given in several options. An IPv4
// client reaching a dual-stack listener (::ffff:192.0.2.7) matches IPv4
// entries.
//
// Threads: an AccessList is parsed and resolved on one thread, then only
// read (Matches): any thread (nc -lk --exec serves clients on threads).
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

// AccessList is parsed once, by nc's Validate, without DNS; host names in
// it wait for Resolve, which Run calls before it listens.
class AccessList {
 public:
  // Parse returns the list of `specs` (each possibly comma-separated), host
  // names unresolved, or kInvalidArgument "--allow: invalid entry
  // '10.0.0.0/33'".
  static absl::StatusOr<AccessList> Parse(const char* option, const std::vector<std::string>& specs);

  // Resolve turns the host names into the addresses they resolve to, or
  // returns the resolution error after the option's name ("--allow:
  // resolve x.invalid: ..."; with `numeric`, names are refused).
  absl::Status Resolve(bool numeric);

  // Matches reports whether `peer` is in the list (names count once
  // resolved).
  bool Matches(const net::SocketAddress& peer) const;

  bool empty() const { return blocks_.empty() && names_.empty(); }

 private:
  struct Block {
    int family;       // AF_INET or AF_INET6.
    uint8_t addr[16];
    int prefix;       // Bits that must match.
  };
  // ParseEntry returns the block one entry names, nullopt for a host name,
  // or kInvalidArgument.
  static absl::StatusOr<std::optional<Block>> ParseEntry(const char* option, absl::string_view entry);

  std::string option_;              // "--allow", for Resolve's errors.
  std::vector<Block> blocks_;
  std::vector<std::string> names_;  // Host names, until Resolve.
};

// Allowed reports whether `peer` may be served: in `allow` (or `allow` is
// empty) and not in `deny`.
bool Allowed(const AccessList& allow, const AccessList& deny, const net::SocketAddress& peer);

}  // namespace ipckit::nc

#endif  // IPCKIT_TOOLS_NC_ACCESS_H_
