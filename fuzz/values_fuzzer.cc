// values_fuzzer: option values (durations, sizes, integers), signal names and
// lists, and fmap's hex patterns.
#include <stddef.h>
#include <stdint.h>

#include "lib/cli/values.h"
#include "lib/signal/names.h"
#include "tools/fmap/fmap.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<absl::Duration> d = ipckit::cli::ParseDuration(text);
  if (d.ok() && *d < absl::ZeroDuration()) __builtin_trap();  // Documented non-negative.
  (void)ipckit::cli::ParseSize(text);
  (void)ipckit::cli::ParseInt(text, -5, 70000);
  (void)ipckit::signal::ParseSignal(text);
  (void)ipckit::signal::ParseSignalList(text);
  absl::StatusOr<std::string> hex = ipckit::fmap::ParseHex(std::string(text));
  if (hex.ok() && hex->size() > size) __builtin_trap();  // Hex never grows.
  return 0;
}
