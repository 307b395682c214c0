// tlsprobe: connect to TLS endpoints and report what they do, for people
// (a readable report) and scripts (--json, --expect-* checks, exit codes).
//
// Threads: Validate on any thread; Run on main's thread, which probes the
// targets on -j threads of its own.
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
#include "lib/cli/exit_code.h"
#include "lib/cli/options.h"
#include "lib/cli/tls_flags.h"
#include "tools/tlsprobe/policy.h"
#include "tools/tlsprobe/probe.h"
#include "tools/tlsprobe/report.h"

namespace ipckit::tlsprobe {

struct Options {
  std::vector<std::string> targets;        // Arguments; none: read stdin.
  // --ca-file, --servername, -k/--insecure (lib/cli's TLS client group).
  cli::TlsClientFlags tls_client{{"ca-file", "servername", nullptr, "insecure", 'k'}};
  // --cert, --key (a client certificate), --alpn (offered).
  cli::TlsServerFlags identity{{"cert", "key", nullptr, "alpn", nullptr}};
  bool no_sni = false;                     // --no-sni
  std::optional<std::string> min_version;  // --min-version
  std::optional<std::string> max_version;  // --max-version
  std::optional<std::string> ciphers;      // --ciphers
  std::optional<std::string> groups;       // --groups
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
  std::vector<std::string> targets;            // As given; none: Run reads them from its input.
  ProbeOptions probe;                          // TLS options parsed, STARTTLS, family.
  bool enumerate = false;                      // --enumerate, or implied by a policy.
  Checks checks;
  std::vector<Policy> policies;                // --policy and the single gates.
  std::optional<std::string> policy_file;      // --policy-file: Run reads it and puts it at
  size_t policy_file_at = 0;                   // this index of `policies` (after --policy's),
  std::string policy_name;                     // or, a guidelines document, takes --policy's
                                               // configuration from it in place of the built-in.
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

// Run checks plan.cert_file (cert_file.h) when given; else it reads the
// targets (the plan's, or lines of `in`: ReadTargets), probes every one and
// writes reports to `out` (in input order) and one err(3)-style line per
// failed target or check to `err`. It returns cli::ExitWith the exit
// status, everything said already: 0, or the smallest non-zero per-target
// code; kExitUsage for targets that do not parse or a TLS context that
// cannot be made (an unreadable --ca-file).
absl::Status Run(const Plan& plan, std::istream& in, std::ostream& out, std::ostream& err);

// ToolInfo is tlsprobe's synopsis, summary and --help epilog.
cli::ToolInfo ToolInfo();

// DeclareOptions declares each of tlsprobe's options on `p`, filling `o`;
// `o->targets` is what the parse leaves over.
void DeclareOptions(cli::Parser& p, Options* o);

}  // namespace ipckit::tlsprobe

#endif  // IPCKIT_TOOLS_TLSPROBE_TLSPROBE_H_
