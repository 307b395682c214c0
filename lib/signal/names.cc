#include "lib/signal/names.h"

#include <string.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ipckit::signal {
namespace {

struct Named {
  int sig;
  const char* name;
};

// The standard signals on Linux (x86 and ARM numbering).
constexpr Named kStandard[] = {
    {SIGHUP, "HUP"},       {SIGINT, "INT"},     {SIGQUIT, "QUIT"},     {SIGILL, "ILL"},
    {SIGTRAP, "TRAP"},     {SIGABRT, "ABRT"},   {SIGBUS, "BUS"},       {SIGFPE, "FPE"},
    {SIGKILL, "KILL"},     {SIGUSR1, "USR1"},   {SIGSEGV, "SEGV"},     {SIGUSR2, "USR2"},
    {SIGPIPE, "PIPE"},     {SIGALRM, "ALRM"},   {SIGTERM, "TERM"},     {SIGSTKFLT, "STKFLT"},
    {SIGCHLD, "CHLD"},     {SIGCONT, "CONT"},   {SIGSTOP, "STOP"},     {SIGTSTP, "TSTP"},
    {SIGTTIN, "TTIN"},     {SIGTTOU, "TTOU"},   {SIGURG, "URG"},       {SIGXCPU, "XCPU"},
    {SIGXFSZ, "XFSZ"},     {SIGVTALRM, "VTALRM"}, {SIGPROF, "PROF"},   {SIGWINCH, "WINCH"},
    {SIGIO, "IO"},         {SIGPWR, "PWR"},     {SIGSYS, "SYS"},
};

// Aliases accepted when parsing.
constexpr Named kAliases[] = {{SIGIOT, "IOT"}, {SIGCHLD, "CLD"}, {SIGPOLL, "POLL"}};

absl::Status Unknown(absl::string_view text) {
  return absl::InvalidArgumentError(absl::StrCat("unknown signal '", text, "'"));
}

}  // namespace

std::string SignalName(int sig) {
  for (const Named& n : kStandard) {
    if (n.sig == sig) return n.name;
  }
  int rtmin = SIGRTMIN, rtmax = SIGRTMAX;
  if (sig == rtmin) return "RTMIN";
  if (sig == rtmax) return "RTMAX";
  if (sig > rtmin && sig <= rtmin + 15) return absl::StrCat("RTMIN+", sig - rtmin);
  if (sig > rtmin + 15 && sig < rtmax) return absl::StrCat("RTMAX-", rtmax - sig);
  return absl::StrCat(sig);
}

absl::StatusOr<int> ParseSignal(absl::string_view text) {
  int n = 0;
  if (absl::SimpleAtoi(text, &n) && !text.empty() && absl::ascii_isdigit(text[0])) {
    if (n >= 1 && n <= kMaxSignal) return n;
    return Unknown(text);
  }
  std::string name = absl::AsciiStrToUpper(text);
  absl::string_view v(name);
  absl::ConsumePrefix(&v, "SIG");
  for (const Named& s : kStandard) {
    if (v == s.name) return s.sig;
  }
  for (const Named& s : kAliases) {
    if (v == s.name) return s.sig;
  }
  int rtmin = SIGRTMIN, rtmax = SIGRTMAX;
  for (auto [prefix, base, sign] : {std::make_tuple("RTMIN", rtmin, 1), std::make_tuple("RTMAX", rtmax, -1)}) {
    if (!absl::ConsumePrefix(&v, prefix)) continue;
    if (v.empty()) return base;
    int off = 0;
    bool plus = absl::ConsumePrefix(&v, "+");
    bool minus = !plus && absl::ConsumePrefix(&v, "-");
    if ((sign > 0 && !plus) || (sign < 0 && !minus) || !absl::SimpleAtoi(v, &off) || v.empty() ||
        !absl::ascii_isdigit(v[0])) {
      return Unknown(text);
    }
    int sig = base + sign * off;
    if (sig < rtmin || sig > rtmax) return Unknown(text);
    return sig;
  }
  return Unknown(text);
}

absl::StatusOr<std::vector<int>> ParseSignalList(absl::string_view text) {
  std::vector<int> out;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    absl::StatusOr<int> s = ParseSignal(part);
    if (!s.ok()) return s.status();
    out.push_back(*s);
  }
  return out;
}

bool IsLibcInternal(int sig) { return sig >= 32 && sig < SIGRTMIN; }

std::vector<int> CatchableSignals() {
  std::vector<int> out;
  for (int s = 1; s <= kMaxSignal; ++s) {
    if (s != SIGKILL && s != SIGSTOP && !IsLibcInternal(s)) out.push_back(s);
  }
  return out;
}

Action DefaultAction(int sig) {
  switch (sig) {
    case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
    case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
      return Action::kCore;
    case SIGCHLD: case SIGURG: case SIGWINCH:
      return Action::kIgnore;
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
      return Action::kStop;
    case SIGCONT:
      return Action::kContinue;
    default:
      return Action::kTerminate;
  }
}

const char* ActionName(Action a) {
  switch (a) {
    case Action::kTerminate: return "term";
    case Action::kCore: return "core";
    case Action::kIgnore: return "ignore";
    case Action::kStop: return "stop";
    case Action::kContinue: return "continue";
  }
  return "?";
}

}  // namespace ipckit::signal
