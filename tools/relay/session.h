// session.h is one relayed client of tools/relay: the client's stream, the
// upstream it was connected to, the two Flows between them (up: client ->
// upstream, down: upstream -> client) and the faults it drew. Internal to
// relay; the Worker (worker.h) drives it.
//
// Threads: a Session belongs to the worker thread that accepted it.
#ifndef IPCKIT_TOOLS_RELAY_SESSION_H_
#define IPCKIT_TOOLS_RELAY_SESSION_H_

#include <stdint.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "lib/io/unique_fd.h"
#include "lib/net/address.h"
#include "lib/net/socket.h"
#include "lib/process/spawn.h"
#include "lib/relay/datagram_shaper.h"
#include "lib/relay/flow.h"
#include "lib/io/stream.h"

namespace ipckit::relay_tool {

struct Session;
struct UdpSession;

// Handle is what the selector returns for a descriptor: a listener, the
// wake-up eventfd, one side of a session, or a UDP session's upstream socket.
struct Handle {
  enum class Kind { kListener, kWake, kClient, kUpstream, kUdpUpstream };
  Kind kind;
  Session* session = nullptr;  // kClient, kUpstream.
  int index = 0;               // kListener: which one.
  UdpSession* udp = nullptr;   // kUdpUpstream.
};

// Drawn is a fault's fate on one session: whether the dice said it applies,
// and since when.
struct Drawn {
  bool applies = false;
  absl::Time since;
};

// UdpSession is one UDP client (keyed by its address) of a udp: FROM: a
// socket connected to TO carries its datagrams up, and what comes back is
// sent to the client from the listening socket. It ends when idle.
struct UdpSession {
  std::string key;        // The client's address, as bytes.
  net::SocketAddress peer;
  int listener = -1;      // The listening socket's descriptor (not owned).
  io::UniqueFd fd;        // Connected to TO.
  absl::Time last_active;
  Handle handle{Handle::Kind::kUdpUpstream};
  // Faults (fault.h's datagram set): drawn per session as a stream
  // session's are; a direction's shaper exists once a fault acts on it.
  absl::flat_hash_map<std::string, Drawn> drawn;
  uint64_t faults_version = ~uint64_t{0};
  std::unique_ptr<relay::DatagramShaper> up, down;
};

struct Session {
  enum class State { kClientHandshake, kConnecting, kProxy, kUpstreamHandshake, kRelaying, kClosed };

  uint64_t id = 0;
  State state = State::kClientHandshake;
  net::SocketAddress peer;           // The client's address.
  absl::Time started;
  absl::Time last_active;
  absl::Time deadline = absl::InfiniteFuture();  // Connect or handshake.
  absl::Time timer = absl::InfiniteFuture();     // When it sits in the worker's timer queue.

  std::unique_ptr<io::Stream> client;
  std::unique_ptr<io::Stream> upstream;
  size_t next_address = 0;  // Connecting: the next of the resolved addresses to try.
  net::SocketAddress connecting_to;
  std::optional<process::Child> child;  // exec: and sh: targets.

  std::optional<relay::Flow> up, down;  // Once relaying.
  uint64_t counted_spliced = 0;  // Of up and down's spliced().
  uint64_t counted_up = 0, counted_down = 0;  // Bytes already added to the counters.

  Handle client_handle{Handle::Kind::kClient, this};
  Handle upstream_handle{Handle::Kind::kUpstream, this};
  uint32_t client_events = 0, upstream_events = 0;
  bool client_registered = false, upstream_registered = false;

  // Faults: what each one drew, by name, and the table version applied.
  absl::flat_hash_map<std::string, Drawn> drawn;
  uint64_t faults_version = ~uint64_t{0};
  absl::Time reset_at = absl::InfiniteFuture();  // reset-peer.
  absl::Time close_at = absl::InfiniteFuture();  // timeout T.
  bool limit_reset = false;                      // limit-data close=reset.
};

}  // namespace ipckit::relay_tool

#endif  // IPCKIT_TOOLS_RELAY_SESSION_H_
