// traffic.h: the hex layouts two peers use to show the bytes that cross a
// connection, so that nc's and relay's logs read as theirs do:
//
//   NcatHexLines (ncat --hex-dump, nc's --hex-dump):
//     0000   68 65 6c 6c 6f 0a                                 hello.
//   SocatBlock (socat -x -v, relay's --dump): a header, the bytes, "--":
//     > 2026/11/30 05:50:00.123456  length=6 from=0 to=5
//      68 65 6c 6c 6f 0a                                hello.
//     --
//
// xxd's and hexdump -C's layouts are dump.h's; reading them back, undump.h.
//
// Threads: pure functions, callable from any thread.
#ifndef IPCKIT_LIB_HEX_TRAFFIC_H_
#define IPCKIT_LIB_HEX_TRAFFIC_H_

#include <stdint.h>

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ipckit::hex {

// NcatHexLines returns `data` in ncat's --hex-dump layout: lines of 16
// bytes, a 4-digit offset from 0, the hex in two groups of 8, then the
// bytes that isgraph(3) accepts ('.' for the rest, ' ' past the end).
std::string NcatHexLines(absl::string_view data);

// SocatBlock returns one socat -x -v block for `data`, read at `when` in
// direction `dir` ('>' or '<'), starting at byte `offset` of that
// direction; the time is local, to the microsecond.
std::string SocatBlock(char dir, absl::Time when, uint64_t offset, absl::string_view data);

}  // namespace ipckit::hex

#endif  // IPCKIT_LIB_HEX_TRAFFIC_H_
