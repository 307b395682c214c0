// Relay is the one loop that moves bytes both ways between a local endpoint
// (stdin/stdout, or a child's pipes) and a network stream, in the manner of
// OpenBSD nc's readwrite(): a buffer per direction, backpressure (a full
// buffer stops reading its source), explicit half-close, and a policy for
// each of the four half-streams (local->net, net->local, local EOF, net EOF).
// When both ends of a direction are plain descriptors and nothing transforms
// the bytes, that direction moves them with splice(2) through a pipe.
//
// The EOF and timer state machine (see RelayOptions):
//   local EOF  --flush--> [-N: shut the net down for writing]
//                         [-q T: finish T later, even if the peer stays]
//   net EOF    --flush--> close the local output; finish as soon as local
//                         input is idle (what it has is still sent), or with
//                         keep_sending_after_net_eof only at local EOF
//   idle -w T  ----------> fail with kDeadlineExceeded "idle for T"
//   write error ---------> fail at once ("write stdout: Broken pipe")
//
// Example:
//
//   io::FdStream in(0, "stdin"), out(1, "stdout"), net(sock, "net", io::FdStream::Kind::kSocket);
//   RelayOptions opts;
//   opts.shutdown_net_on_local_eof = true;  // nc -N
//   RelayStats stats;
//   absl::Status s = Relay({&in, &out}, {&net, &net}, opts, &stats);
//
// Threads: Relay runs on the calling thread and uses its streams alone until
// it returns.
#ifndef IPCKIT_LIB_RELAY_RELAY_H_
#define IPCKIT_LIB_RELAY_RELAY_H_

#include <stddef.h>
#include <stdint.h>

#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/io/stream.h"
#include "lib/selector/selector.h"

namespace ipckit::relay {

// Endpoint is where one side's bytes come from and go to (often one io::Stream).
struct Endpoint {
  io::Stream* reader;  // nullptr: nothing to read (at EOF from the start).
  io::Stream* writer;  // nullptr: nowhere to write (received bytes are dropped).
};

struct RelayOptions {
  size_t buffer_size = 256 * 1024;  // Per direction.
  bool read_local = true;           // false: nc -d, --recv-only.
  bool read_net = true;             // false: --send-only (drop what arrives; finish at local EOF).
  bool shutdown_net_on_local_eof = false;               // nc -N.
  std::optional<absl::Duration> quit_after_local_eof;   // nc -q T (0: at once).
  bool keep_sending_after_net_eof = false;              // Old half-duplex nc.
  bool close_local_output_on_net_eof = true;  // false: more sessions follow (nc -k).
  absl::Duration idle_timeout = absl::InfiniteDuration();  // nc -w T.
  bool crlf = false;                                   // nc -C: LF -> CRLF to the net.
  absl::Duration line_interval = absl::ZeroDuration();  // nc -i: pause between lines sent.
  bool allow_splice = true;
  selector::Selector::Backend backend = selector::Selector::Backend::kEpoll;
};

struct RelayStats {
  uint64_t sent = 0;      // Bytes local -> net.
  uint64_t received = 0;  // Bytes net -> local.
  bool spliced = false;   // Some direction used splice(2).
  bool local_input_ended = false;  // The local reader reached end of input.
};

// Relay runs until the policy in `options` says it is finished and returns
// OK, or returns the first error: a read or write failure naming its stream,
// or kDeadlineExceeded "idle for 5s" after options.idle_timeout without a
// byte moved. `stats` (if not null) counts the bytes moved either way.
absl::Status Relay(Endpoint local, Endpoint net, const RelayOptions& options,
                   RelayStats* stats);

}  // namespace ipckit::relay

#endif  // IPCKIT_LIB_RELAY_RELAY_H_
