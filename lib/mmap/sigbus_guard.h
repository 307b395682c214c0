// sigbus_guard.h contains the SIGBUS a mapped file raises when it shrinks
// under its reader: an access to a page past the new end of file would kill
// the process. While a SigbusGuard covers a mapping, such a fault is caught
// by a process-wide handler, the missing page is replaced with zeros, and the
// guard records it, so the reader finishes its pass and reports an error.
// Faults outside every guarded region keep their default action (the process
// dies as it would have).
//
// The handler takes no locks and touches only a fixed table of regions and an
// mmap(2) of one page, so it is safe in any thread at any point.
//
// Example:
//
//   SigbusGuard guard(p, len);
//   Scan(p, len);
//   if (guard.faulted()) return absl::DataLossError("file shrank while being read");
//
// Threads: a SigbusGuard may be made and dropped on any thread; the handler
// serves faults on every thread (see above).
#ifndef IPCKIT_LIB_MMAP_SIGBUS_GUARD_H_
#define IPCKIT_LIB_MMAP_SIGBUS_GUARD_H_

#include <stddef.h>

namespace ipckit::mmap {

class SigbusGuard {
 public:
  // kSlots is how many regions can be guarded at once, in all threads.
  static constexpr int kSlots = 64;

  // SigbusGuard guards [addr, addr + len) until it is destroyed, installing
  // the handler on first use. When every slot is taken the region is not
  // guarded (active() is false) and a fault there ends the process as usual.
  SigbusGuard(const void* addr, size_t len);
  ~SigbusGuard();
  SigbusGuard(const SigbusGuard&) = delete;
  SigbusGuard& operator=(const SigbusGuard&) = delete;

  // active reports whether the region is guarded.
  bool active() const { return slot_ >= 0; }
  // faulted reports whether an access to the region found no file behind it
  // (those bytes read as zeros).
  bool faulted() const;

 private:
  int slot_ = -1;
};

}  // namespace ipckit::mmap

#endif  // IPCKIT_LIB_MMAP_SIGBUS_GUARD_H_
