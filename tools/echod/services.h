// services.h: the small services of RFC 864 (chargen) and RFC 867 (daytime)
// that echod serves besides echo and discard.
//
// Threads: pure functions: any thread.
#ifndef IPCKIT_TOOLS_ECHOD_SERVICES_H_
#define IPCKIT_TOOLS_ECHOD_SERVICES_H_

#include <stddef.h>
#include <stdint.h>

#include <string>

namespace ipckit::echod {

// Chargen returns `lines` lines of the RFC 864 pattern (72 characters and
// CRLF each) starting at line `*line`, and advances `*line`.
std::string Chargen(size_t lines, uint64_t* line);

// Daytime returns the time now, in UTC, as an RFC 867 line:
// "Monday, November 30, 2026 02:51:57-UTC\r\n".
std::string Daytime();

}  // namespace ipckit::echod

#endif  // IPCKIT_TOOLS_ECHOD_SERVICES_H_
