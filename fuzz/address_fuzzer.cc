// address_fuzzer: host:port splitting and port lists (nc, echod, echobench),
// and the readiness lines with_server reads from any server's output.
#include <stddef.h>
#include <stdint.h>

#include "lib/net/address.h"
#include "lib/net/listening_line.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<ipckit::net::HostPort> hp = ipckit::net::SplitHostPort(text);
  if (hp.ok()) (void)ipckit::net::ParsePort(hp->port);
  (void)ipckit::net::ParsePort(text);
  absl::StatusOr<std::vector<uint16_t>> ports = ipckit::net::ParsePortList(text);
  if (ports.ok() && ports->size() > 65536) __builtin_trap();  // Ports are unique.
  (void)ipckit::net::SocketAddress::Unix(text);
  std::string announced = ipckit::net::ListeningAddress(text);
  if (announced.size() > text.size() + 3) __builtin_trap();  // At most "[", "]" and ":" added.
  return 0;
}
