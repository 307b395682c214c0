// fault_table.h is relay's live fault state, shared by the control socket
// (which changes it) and the workers (which apply it): the faults in force,
// and whether new clients are served, refused ("down") or left in the
// backlog ("stall"). Thread-safe; version() changes with every change, so a
// worker re-reads only when something changed.
//
// Threads: see above: every method may be called from any thread.
#ifndef IPCKIT_TOOLS_RELAY_FAULT_TABLE_H_
#define IPCKIT_TOOLS_RELAY_FAULT_TABLE_H_

#include <stdint.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "tools/relay/fault.h"

namespace ipckit::relay_tool {

// Admission is what happens to new clients.
enum class Admission {
  kServe,  // Accept and relay.
  kReset,  // "down": accept and reset (the client sees ECONNRESET).
  kClose,  // "down close": accept and close (the client sees EOF).
  kStall,  // "stall": do not accept; the listen backlog fills, then SYNs wait.
};

// AdmissionName returns "serve", "down", "down close" or "stall".
const char* AdmissionName(Admission a);

class FaultTable {
 public:
  using Faults = std::vector<Fault>;

  // Add adds `f`, or fails with kAlreadyExists "a fault named 'latency'
  // exists (give name=OTHER, or fault rm it first)", or with FitsSessions'
  // error for a fault the table's sessions do not take.
  absl::Status Add(const Fault& f);
  // Remove removes the fault named `name`, or fails with kNotFound "no
  // fault named 'x'".
  absl::Status Remove(const std::string& name);
  void Clear();
  // Snapshot returns the faults in force, in the order added.
  std::shared_ptr<const Faults> Snapshot() const;

  // set_datagram says the table's sessions are datagram ones (a udp: or
  // unix-dgram: FROM); set before the first Add.
  void set_datagram(bool datagram) { datagram_.store(datagram, std::memory_order_release); }

  void set_admission(Admission a);
  Admission admission() const { return admission_.load(std::memory_order_acquire); }
  uint64_t version() const { return version_.load(std::memory_order_acquire); }

 private:
  // mu_ is a std::mutex, not absl::Mutex: Debian's libabsl is built without
  // ThreadSanitizer, which then cannot see absl::Mutex order its accesses
  // (a control socket's `fault add` beside a worker's Snapshot read as a
  // race); pthread mutexes it intercepts.
  mutable std::mutex mu_;
  std::shared_ptr<const Faults> faults_ = std::make_shared<Faults>();  // Under mu_.
  std::atomic<Admission> admission_{Admission::kServe};
  std::atomic<bool> datagram_{false};
  std::atomic<uint64_t> version_{0};
};

}  // namespace ipckit::relay_tool

#endif  // IPCKIT_TOOLS_RELAY_FAULT_TABLE_H_
