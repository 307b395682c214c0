// proc_status_fuzzer: /proc/PID/status decoding (sigtest mask).
#include <stddef.h>
#include <stdint.h>

#include "lib/signal/proc_status.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)ipckit::signal::DecodeSignalMasks(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
