// tlsprobe: connect to TLS endpoints and report what they do, for people
// (a readable report) and scripts (--json, --expect-* checks, exit codes).
#ifndef IPCKIT_TOOLS_TLSPROBE_TLSPROBE_H_
#define IPCKIT_TOOLS_TLSPROBE_TLSPROBE_H_

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/status/statusor.h"
#include "lib/tls/tls_context.h"
#include "tools/tlsprobe/policy.h"
#include "tools/tlsprobe/probe.h"
#include "tools/tlsprobe/report.h"

namespace ipckit::tlsprobe {

struct Options {
  std::vector<std::string> targets;        // Arguments; none: read stdin.
  std::optional<std::string> servername;   // --servername
  bool no_sni = false;                     // --no-sni
  std::optional<std::string> alpn;         // --alpn h2,http/1.1
  std::optional<std::string> min_version;  // --min-version
  std::optional<std::string> max_version;  // --max-version
  std::optional<std::string> ciphers;      // --ciphers
  std::optional<std::string> groups;       // --groups
  std::optional<std::string> ca_file;      // --ca-file
  std::optional<std::string> cert;         // --cert
  std::optional<std::string> key;          // --key
  bool insecure = false;                   // --insecure
  absl::Duration timeout = absl::Seconds(5);  // --timeout
  std::optional<std::string> starttls;     // --starttls
  bool resume = false;                     // --resume
  bool show_certs = false;                 // --show-certs
  int jobs = 1;                            // -j
  bool enumerate = false;                  // --enumerate
  bool json = false;                       // --json
  bool ipv4 = false;                       // -4
  bool ipv6 = false;                       // -6
  bool quiet = false;                      // -q: no report, exit code and stderr only
  Checks checks;
  // Policy gates (each implies --enumerate).
  std::optional<std::string> policy;        // --policy modern|intermediate|old
  std::optional<std::string> policy_file;   // --policy-file FILE (JSON)
  std::optional<std::string> forbid_version;  // --forbid-version 1.0,1.1
  std::optional<std::string> forbid_cipher;   // --forbid-cipher anon,NULL,CBC
  bool require_forward_secrecy = false;       // --require-forward-secrecy
  std::optional<int> min_dh_bits;             // --min-dh-bits
  std::optional<int> min_key_bits;            // --min-key-bits
  std::optional<std::string> cert_file;       // --cert-file chain.pem: no targets, no connection.
};

// Plan is Options checked and parsed: how to probe and report, with nothing
// left to parse. The targets are input, read apart (ReadTargets).
struct Plan {
  ProbeOptions probe;                          // TLS options parsed, STARTTLS, family.
  bool enumerate = false;                      // --enumerate, or implied by a policy.
  Checks checks;
  std::vector<Policy> policies;                // --policy, --policy-file and the single gates.
  std::optional<std::string> cert_file;        // --cert-file: Run checks it instead of probing.
  int jobs = 1;
  bool json = false;
  bool quiet = false;
  bool show_certs = false;
};

// Validate returns the plan for `o`, or the first conflict or bad value as
// kInvalidArgument ("--no-sni and --servername conflict").
absl::StatusOr<Plan> Validate(const Options& o);

// ReadTargets parses `args`, or with none the lines of `in` (blank lines and
// '#' comments skipped), or returns kInvalidArgument: "no targets (give
// HOST[:PORT] arguments or lines on stdin)", "invalid target 'x': ...".
absl::StatusOr<std::vector<Target>> ReadTargets(const std::vector<std::string>& args, std::istream& in);

// Run probes every target and writes reports to `out` (in input order) and
// one err(3)-style line per failed target or check to `err`. It returns
// the exit status: 0, or the smallest non-zero per-target code; kExitUsage
// when the TLS context cannot be made (an unreadable --ca-file).
int Run(const Plan& plan, const std::vector<Target>& targets, std::ostream& out, std::ostream& err);

// RunCertFile checks plan.cert_file (cert_file.h), writes its report to `out`
// and failures to `err` as Run does, and returns the exit status.
int RunCertFile(const Plan& plan, std::ostream& out, std::ostream& err);

}  // namespace ipckit::tlsprobe

#endif  // IPCKIT_TOOLS_TLSPROBE_TLSPROBE_H_
