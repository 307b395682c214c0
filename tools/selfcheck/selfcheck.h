// selfcheck proves the toolchain end to end: it makes a throwaway certificate
// with BoringSSL, serves TLS on a loopback port, connects to it with full
// verification (certificate and IP address), and sends bytes through and back,
// comparing SHA-256 digests. It is the demo until the real tools exist.
#ifndef IPCKIT_TOOLS_SELFCHECK_SELFCHECK_H_
#define IPCKIT_TOOLS_SELFCHECK_SELFCHECK_H_

#include <stdint.h>

#include <ostream>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace ipckit::selfcheck {

struct Options {
  uint64_t bytes = 1 << 20;                   // How much to send through the round trip.
  absl::Duration timeout = absl::Seconds(10);  // Limit for each socket operation.
};

// Validate returns OK, or kInvalidArgument naming the bad option.
absl::Status Validate(const Options& opts);

// Run performs the check, writing a line per step to `out`, and returns OK, or
// the first failure ("connect 127.0.0.1:1234: Connection refused",
// "TLS handshake: CERTIFICATE_VERIFY_FAILED", "round trip: digest mismatch").
absl::Status Run(const Options& opts, std::ostream& out);

}  // namespace ipckit::selfcheck

#endif  // IPCKIT_TOOLS_SELFCHECK_SELFCHECK_H_
