// values.h parses the option value types every ipckit tool shares: bounded
// integers, durations (`250ms`, `5s`, `2m`; a bare number is seconds, as in
// nc -w 5) and byte sizes (`64K`, `1M`; binary units). lib/cli/options uses
// them for option values; tools use them for values inside arguments.
//
// Example:
//
//   absl::StatusOr<absl::Duration> d = ipckit::cli::ParseDuration("1.5s");
//   absl::StatusOr<uint64_t> n = ipckit::cli::ParseSize("64K");       // 65536
//   absl::StatusOr<int64_t> p = ipckit::cli::ParseInt("8080", 0, 65535);
//
// Threads: pure parsers: any thread.
#ifndef IPCKIT_LIB_CLI_VALUES_H_
#define IPCKIT_LIB_CLI_VALUES_H_

#include <stdint.h>

#include <limits>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ipckit::cli {

// ParseInt returns the decimal integer `text` (an optional '-' then digits,
// nothing else), or kInvalidArgument: "invalid integer 'x'" when it is not
// one, "'70000' is out of range (0 to 65535)" when it is outside [min, max].
absl::StatusOr<int64_t> ParseInt(absl::string_view text,
                                 int64_t min = std::numeric_limits<int64_t>::min(),
                                 int64_t max = std::numeric_limits<int64_t>::max());

// ParseDuration returns the non-negative duration `text`, as
// absl::ParseDuration reads it (a decimal number, fractions allowed, with a
// unit ns, us, ms, s, m or h; several in a row add up: "1h30m"; "inf" is
// absl::InfiniteDuration()), except that a bare number is seconds and no
// sign is taken. Otherwise it returns kInvalidArgument: "invalid duration
// 'x' (use e.g. 250ms, 5s, 2m, 1.5h)", or "duration 'x' is too large".
absl::StatusOr<absl::Duration> ParseDuration(absl::string_view text);

// ParseSize returns the byte count `text`: a decimal integer followed by an
// optional binary unit K, M, G or T (case-insensitive; "KiB" and "KB" are
// accepted and also mean 1024), or kInvalidArgument: "invalid size 'x' (use
// e.g. 512, 64K, 1M, 2G)", or "size '5G' is too large (at most 4294967295)"
// when it exceeds `max`.
absl::StatusOr<uint64_t> ParseSize(absl::string_view text,
                                   uint64_t max = std::numeric_limits<uint64_t>::max());

}  // namespace ipckit::cli

#endif  // IPCKIT_LIB_CLI_VALUES_H_
