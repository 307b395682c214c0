// relay_text_fuzzer: relay's control protocol (one line in, one line out,
// against a live fault table), its fault text form (which must read back
// what FormatFault writes) and its endpoint parser (TO, and FROM's Unix
// forms: a FROM host name would be a DNS lookup).
#include <stddef.h>
#include <stdint.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "tools/relay/control.h"
#include "tools/relay/endpoint.h"
#include "tools/relay/fault.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ipckit::relay_tool;
  std::string text(reinterpret_cast<const char*>(data), size);
  static FaultTable* table = new FaultTable();
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::string answer = ExecuteControl(line, *table, [] { return std::string("{}"); });
    if (answer.empty() || answer.find('\n') != std::string::npos) __builtin_trap();  // One line, always.
  }
  if (table->Snapshot()->size() > 64) table->Clear();
  absl::StatusOr<Fault> f = ParseFault(text);
  if (f.ok()) {
    std::string shown = FormatFault(*f);
    absl::StatusOr<Fault> again = ParseFault(shown);
    if (!again.ok() || FormatFault(*again) != shown) __builtin_trap();
  }
  (void)ParseTo(text);
  if (absl::StartsWith(text, "unix:")) (void)ParseFrom(text);
  return 0;
}
