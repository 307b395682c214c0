// json_reader_fuzzer: files a user hands to a tool as JSON (tlsprobe's
// --policy-file), read with lib/json's reader and, when they parse, read as
// a policy (and, a guidelines document, its "intermediate" configuration).
#include <stddef.h>
#include <stdint.h>

#include "lib/json/json_reader.h"
#include "tools/tlsprobe/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ipckit::json::ParseJson(text);
  (void)ipckit::tlsprobe::ParsePolicy(text, "fuzz");
  (void)ipckit::tlsprobe::ParsePolicy(text, "fuzz", "intermediate");
  return 0;
}
