// names.h maps signals 1-64 to and from the names bash and kill(1) use
// ("TERM", "RTMIN+3", "RTMAX-2"), with each signal's default action, and
// parses lists of them ("TERM,INT,USR1").
//
// Real-time signals are named as bash names them: SIGRTMIN is glibc's first
// usable one (34; 32 and 33 belong to the C library), up to RTMIN+15, then
// RTMAX-14 down to RTMAX (64).
//
// Example:
//
//   absl::StatusOr<int> sig = ParseSignal("SIGRTMIN+2");  // 36
//   std::string name = SignalName(36);                     // "RTMIN+2"
//   DefaultAction(SIGSEGV);                                 // Action::kCore
//
// Threads: pure functions and a constant table: any thread.
#ifndef IPCKIT_LIB_SIGNAL_NAMES_H_
#define IPCKIT_LIB_SIGNAL_NAMES_H_

#include <signal.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipckit::signal {

inline constexpr int kMaxSignal = 64;

// SignalName returns the name of signal `sig` without "SIG" ("TERM",
// "RTMIN+1"), or its number as text if it has none ("32").
std::string SignalName(int sig);

// ParseSignal returns the signal named by `text`: a name with or without
// "SIG", in any case ("term", "SIGTERM"), a real-time name ("RTMIN",
// "RTMIN+3", "RTMAX-1"), or a number from 1 to 64. Otherwise it returns
// kInvalidArgument: "unknown signal 'x'".
absl::StatusOr<int> ParseSignal(absl::string_view text);

// ParseSignalList parses comma-separated signals ("TERM,INT,36") in order,
// or returns the first error.
absl::StatusOr<std::vector<int>> ParseSignalList(absl::string_view text);

// IsLibcInternal reports whether `sig` is one of the signals glibc keeps for
// itself (32 and 33 on Linux, below SIGRTMIN): programs cannot use them.
bool IsLibcInternal(int sig);

// CatchableSignals returns every signal a program can block or catch:
// 1 to 64 except KILL, STOP and the C library's own.
std::vector<int> CatchableSignals();

enum class Action { kTerminate, kCore, kIgnore, kStop, kContinue };

// DefaultAction returns what the kernel does with `sig` by default.
Action DefaultAction(int sig);

// ActionName returns "term", "core", "ignore", "stop" or "continue".
const char* ActionName(Action a);

}  // namespace ipckit::signal

#endif  // IPCKIT_LIB_SIGNAL_NAMES_H_
