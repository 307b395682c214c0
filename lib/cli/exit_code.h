// exit_code.h is the one mapping from a tool's Run status to its exit code.
// Every tool's Run returns an absl::Status; it exits 0 for OK and 1
// (kExitFailure) for a runtime failure; usage errors (2) come from Validate,
// through Parser::UsageError. Tools with codes of their own list them as
// rules; an exit code that is data, not a kind of failure (the command
// with_server ran exited 3; fmap find found nothing; tlsprobe's smallest
// code over many targets, each reported as it came), travels as ExitWith.
// Example (nc):
//
//   constexpr ipckit::cli::ExitRule kRules[] = {
//       {absl::StatusCode::kDeadlineExceeded, 3},   // connect timed out
//       {absl::StatusCode::kUnauthenticated, 4}};   // TLS verification failed
//   return parser.Finish(Run(plan), kRules);        // prints "nc: ..." and maps
//
// Threads: pure functions and constants: any thread.
#ifndef IPCKIT_LIB_CLI_EXIT_CODE_H_
#define IPCKIT_LIB_CLI_EXIT_CODE_H_

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace ipckit::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// ExitRule gives statuses with `code` the exit code `exit`.
struct ExitRule {
  absl::StatusCode code;
  int exit;
};

// kUsageRules is for commands whose Run finds usage errors too (fmap's
// patterns, sigtest's signal names): kInvalidArgument exits kExitUsage.
inline constexpr ExitRule kUsageRules[] = {{absl::StatusCode::kInvalidArgument, kExitUsage}};

// ExitCode returns kExitOk for an OK status, ExitWith's code, the `exit` of
// the first rule whose code matches, else kExitFailure.
int ExitCode(const absl::Status& status, absl::Span<const ExitRule> rules = {});

// Reported marks `status` as already reported on stderr (a tool that prints
// its own wording), so that Parser::Finish maps it without printing it again;
// IsReported tells.
absl::Status Reported(absl::Status status);
bool IsReported(const absl::Status& status);

// ExitWith returns the status of a run that ends with exit code `code`,
// everything it had to say already said: OK for 0, else a Reported status
// carrying `code`, which ExitCode returns whatever the rules.
absl::Status ExitWith(int code);

}  // namespace ipckit::cli

#endif  // IPCKIT_LIB_CLI_EXIT_CODE_H_
