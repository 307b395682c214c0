// report.h: a probe's result as a readable report, as one JSON line, and
// judged against the --expect-* checks scripts ask for.
//
// Threads: pure formatting and checks: any thread.
#ifndef IPCKIT_TOOLS_TLSPROBE_REPORT_H_
#define IPCKIT_TOOLS_TLSPROBE_REPORT_H_

#include <optional>
#include <string>
#include <vector>

#include "tools/tlsprobe/enumerate.h"
#include "tools/tlsprobe/probe.h"

namespace ipckit::tlsprobe {

struct Checks {
  std::optional<std::string> version;   // --expect-version as Validate spells it: "TLSv1.3" (given "1.3").
  std::optional<std::string> alpn;      // --expect-alpn.
  std::optional<std::string> cipher;    // --expect-cipher, IANA name.
  std::optional<int> min_days_left;     // --min-days-left, every certificate.
  bool require_ocsp = false;            // --require-ocsp: a "good" staple.
  std::optional<std::string> spki_pin;  // --expect-spki-pin "sha256//..." (any in chain).
};

// ApplyChecks records in r->failed_checks each check that fails, as
// "expect-version: got TLSv1.2, want TLSv1.3", and sets r->exit to 7 when
// the probe itself succeeded. Checks are not judged after a failed probe;
// a --cert-file's are, unless the file could not be read.
void ApplyChecks(const Checks& checks, ProbeResult* r);

// FormatText returns the readable report; `show_certs` adds each PEM.
std::string FormatText(const ProbeResult& r, const Enumeration* e, bool show_certs);

// FormatJson returns one line of JSON (no newline).
std::string FormatJson(const ProbeResult& r, const Enumeration* e, bool show_certs);

}  // namespace ipckit::tlsprobe

#endif  // IPCKIT_TOOLS_TLSPROBE_REPORT_H_
