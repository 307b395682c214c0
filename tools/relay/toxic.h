// toxic.h is toxiproxy's toxic, as its HTTP API reads and writes it, and
// the relay fault (fault.h) each becomes. The mapping, one line per type:
//
//   toxiproxy type  attributes (units)                     relay --fault
//   latency         latency, jitter (ms)                   latency Lms jitter=Jms
//   bandwidth       rate (KB/s, 1 KB = 1000 bytes)         bandwidth RATE*1000 (rate 0: no limit)
//   slicer          average_size (bytes), size_variation,  slicer AVERAGE delay=Dus (pieces of the
//                   delay (us)                             average size: size_variation is kept, not applied)
//   limit_data      bytes                                  limit-data BYTES
//   timeout         timeout (ms; 0: never close)           timeout Tms
//   reset_peer      timeout (ms)                           reset-peer Tms
//   slow_close      delay (ms)                             slow-close Dms
//
// stream "downstream" (the default) is dir=down, "upstream" dir=up;
// toxicity (default 1) is p=; the name defaults to TYPE_STREAM.
//
// Threads: pure functions, any thread.
#ifndef IPCKIT_TOOLS_RELAY_TOXIC_H_
#define IPCKIT_TOOLS_RELAY_TOXIC_H_

#include <stdint.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/json/json_reader.h"
#include "lib/json/json_writer.h"
#include "tools/relay/fault.h"

namespace ipckit::relay_tool {

struct Toxic {
  std::string name;
  std::string type;                 // "latency", "bandwidth", ...
  std::string stream = "downstream";
  double toxicity = 1.0;
  std::vector<std::pair<std::string, int64_t>> attributes;  // Every attribute of the type, in toxiproxy's order.
};

// ParseToxic reads a new toxic (POST /proxies/P/toxics's body), or returns
// kInvalidArgument with toxiproxy's message: "invalid toxic type", "stream
// was invalid, can be either upstream or downstream", "bad request body:
// attribute 'latency' must be a whole number from 0".
absl::StatusOr<Toxic> ParseToxic(const json::Value& body);

// UpdateToxic applies an update (POST /proxies/P/toxics/T's body: its
// attributes and toxicity; what it leaves out stays) to `t`, or returns
// kInvalidArgument as ParseToxic, leaving `t` as it was.
absl::Status UpdateToxic(const json::Value& body, Toxic& t);

// WriteToxicJson writes `t` as toxiproxy does: attributes, name, type, stream, toxicity.
void WriteToxicJson(json::JsonWriter& j, const Toxic& t);

// FaultFor returns the relay fault `t` is, or nullopt for one that does
// nothing (bandwidth rate 0, slicer average_size 0).
std::optional<Fault> FaultFor(const Toxic& t);

}  // namespace ipckit::relay_tool

#endif  // IPCKIT_TOOLS_RELAY_TOXIC_H_
