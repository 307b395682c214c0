// proc_status.h decodes the signal masks in /proc/PID/status: SigBlk
// (blocked), SigIgn (ignored), SigCgt (caught), SigPnd (pending for the
// thread) and ShdPnd (pending for the process), each a 64-bit hex mask where
// signal n is bit n-1.
//
// Example:
//
//   absl::StatusOr<SignalMasks> m = ReadSignalMasks(pid);
//   std::vector<int> blocked = Members(m->blocked);   // {SIGINT, SIGTERM}
//   std::string shown = FormatSet(m->blocked);        // "INT,TERM"
//
// Threads: pure parsing and reads of /proc: any thread.
#ifndef IPCKIT_LIB_SIGNAL_PROC_STATUS_H_
#define IPCKIT_LIB_SIGNAL_PROC_STATUS_H_

#include <stdint.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipckit::signal {

struct SignalMasks {
  uint64_t blocked = 0;
  uint64_t ignored = 0;
  uint64_t caught = 0;
  uint64_t pending = 0;
  uint64_t shared_pending = 0;
};

// DecodeSignalMasks parses the text of a /proc/PID/status file, or returns
// kInvalidArgument naming the first missing or malformed field:
// "/proc status: no SigBlk line", "/proc status: bad SigIgn value 'xyz'".
absl::StatusOr<SignalMasks> DecodeSignalMasks(absl::string_view status);

// ReadSignalMasks reads and decodes /proc/PID/status, or returns kNotFound
// "no process 123" when it does not exist.
absl::StatusOr<SignalMasks> ReadSignalMasks(pid_t pid);

// Members returns the signals in `mask`, ascending.
std::vector<int> Members(uint64_t mask);

// MaskOf returns the mask with `signals` set.
uint64_t MaskOf(const std::vector<int>& signals);

// FormatSet returns the names in `mask` joined by commas ("INT,TERM"), or "-"
// for the empty set.
std::string FormatSet(uint64_t mask);

}  // namespace ipckit::signal

#endif  // IPCKIT_LIB_SIGNAL_PROC_STATUS_H_
