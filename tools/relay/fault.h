// fault.h is relay's fault set, toxiproxy's "toxics": each Fault acts on one
// or both directions of a connection (up: client -> server, down: server ->
// client; down by default, as in toxiproxy), on a fraction of connections
// chosen when a connection starts or the fault is added (p=, toxiproxy's
// toxicity). The text form is the same on the command line (--fault) and
// on the control socket (`fault add ...`):
//
//   latency 100ms [jitter=20ms]     hold each piece of data this long (+-jitter)
//   bandwidth 1M                    deliver at most 1 MiB per second
//   slicer 64 [delay=10ms]          write in 64-byte pieces, this long apart
//   limit-data 1000 [close=reset]   close the connection after 1000 bytes (FIN, or RST)
//   timeout 2s                      deliver nothing; close after 2s (0: never)
//   reset-peer [500ms]              reset (RST) the connection this long after it starts
//   slow-close 1s                   pass the EOF on 1s late
//   loss 0.1 (or 10%)               drop each datagram with this chance    \  udp: and
//   duplicate 0.05                  send each datagram twice with this chance  > unix-dgram:
//   reorder 0.25                    send a datagram after the next one      /  sessions only
//   ... [dir=up|down|both] [p=0.5] [name=NAME]
//
// Datagram sessions take latency (per datagram, so jitter reorders, as tc
// netem's delay), bandwidth, loss, duplicate and reorder; stream sessions
// take all but the last three (FitsSessions says which).
//
// Threads: Faults are values: parsed on any thread, copied into each
// session; a session's FaultState belongs to its worker thread.
#ifndef IPCKIT_TOOLS_RELAY_FAULT_H_
#define IPCKIT_TOOLS_RELAY_FAULT_H_

#include <stdint.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/json/json_writer.h"
#include "lib/relay/datagram_shaper.h"
#include "lib/relay/flow.h"

namespace ipckit::relay_tool {

enum class FaultKind {
  kLatency, kBandwidth, kSlicer, kLimitData, kTimeout, kResetPeer, kSlowClose, kLoss, kDuplicate, kReorder
};

inline constexpr int kUp = 1;
inline constexpr int kDown = 2;

struct Fault {
  std::string name;  // Unique in a set; the kind's name unless name= is given.
  FaultKind kind = FaultKind::kLatency;
  int dirs = kDown;  // kUp, kDown or both.
  double probability = 1.0;
  absl::Duration duration = absl::ZeroDuration();  // latency; timeout/reset-peer/slow-close's T.
  absl::Duration jitter = absl::ZeroDuration();    // latency.
  uint64_t amount = 0;  // bandwidth (bytes/s), slicer (bytes), limit-data (bytes).
  absl::Duration delay = absl::ZeroDuration();     // slicer's pause.
  bool reset = false;  // limit-data close=reset: end with RST, not FIN.
  double chance = 0;   // loss, duplicate, reorder: per datagram.
};

// ParseFault parses one fault's text form (above), or returns
// kInvalidArgument: "unknown fault 'lag' (latency, bandwidth, slicer,
// limit-data, timeout, reset-peer, slow-close)", "latency: missing
// DURATION", "bandwidth: invalid size 'x' (use e.g. 512, 64K, 1M, 2G)",
// "unknown setting 'foo' (dir=, p=, name=, jitter=, delay=)", "p=2: not a
// probability from 0 to 1".
absl::StatusOr<Fault> ParseFault(absl::string_view text);

// FaultKindName returns "latency", "bandwidth", ... as written above.
const char* FaultKindName(FaultKind kind);

// FormatFault returns the text form ParseFault reads back, settings spelled
// out: "latency 100ms jitter=20ms dir=down p=1 name=latency".
std::string FormatFault(const Fault& f);

// WriteFaultJson writes `f` as one JSON object.
void WriteFaultJson(json::JsonWriter& j, const Fault& f);

// FitsSessions returns OK when `f` acts on the sessions of a datagram (or
// stream) FROM, else kInvalidArgument: "slicer acts on stream sessions (a
// datagram FROM takes latency, bandwidth, loss, duplicate, reorder)", "loss
// acts on datagram sessions (a udp: or unix-dgram: FROM)".
absl::Status FitsSessions(const Fault& f, bool datagram);

// DatagramShapingFor returns what `faults` do to a datagram session's
// direction `dir`: latencies and jitters summed, the lowest bandwidth, the
// chances combined (1 - product of 1 - each).
relay::DatagramShaping DatagramShapingFor(const std::vector<const Fault*>& faults, int dir);

// ShapingFor returns what `faults` (those applied to one connection) do to
// its direction `dir` (kUp or kDown): the sum of latencies, the lowest
// bandwidth, the smallest slices, the smallest limit; timeout holds.
relay::Shaping ShapingFor(const std::vector<const Fault*>& faults, int dir);

}  // namespace ipckit::relay_tool

#endif  // IPCKIT_TOOLS_RELAY_FAULT_H_
