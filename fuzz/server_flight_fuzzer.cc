// server_flight_fuzzer: what a TLS server (or anything pretending to be one)
// sends back to tlsprobe's ClientHello engine, fed to ServerFlightReader in
// pieces whose size the first byte picks.
#include <stddef.h>
#include <stdint.h>

#include <algorithm>

#include "lib/tls/registry.h"
#include "lib/tls/server_flight.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t piece = 1 + data[0] % 64;
  absl::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  ipckit::tls::ServerFlightReader r;
  while (!bytes.empty() && !r.done()) {
    r.Feed(bytes.substr(0, piece));
    bytes.remove_prefix(std::min(piece, bytes.size()));
  }
  if (!r.done()) r.Feed("");
  const ipckit::tls::ServerFlight& f = r.flight();
  (void)ipckit::tls::SuiteName(f.suite);
  (void)ipckit::tls::GroupName(f.group);
  (void)ipckit::tls::SignatureSchemeName(f.signature_scheme);
  (void)ipckit::tls::AlertName(f.alert);
  return 0;
}
