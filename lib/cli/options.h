// options.h is the one command-line layer of every ipckit tool, on
// getopt_long(3). Each option is declared once, with its help text, its value
// type and the Options field it fills; --help and --version are generated.
// Syntax is POSIX and GNU as nc users expect: `-lkv -p 8080`, `-w5`,
// `--timeout=5s`, `--timeout 5s`, and `--` to end the options.
//
// Exit codes shared by all tools (exit_code.h): kExitOk (0), kExitFailure
// (1, a runtime failure), kExitUsage (2, bad usage: unknown option, bad
// value, conflict), and per-tool codes through ExitRule.
//
// Example (a tool's main):
//
//   struct Options { bool listen = false; int port = 0; absl::Duration wait = absl::InfiniteDuration(); };
//   Options opts;
//   ipckit::cli::Parser parser({.name = "nc", .usage = {"[-lv] [-w SECS] HOST PORT"},
//                               .summary = "Read and write data across network connections."});
//   parser.Flag('l', "listen", "listen for an incoming connection", &opts.listen)
//       .Int('p', "port", "PORT", "local port", &opts.port, 0, 65535)
//       .Duration('w', "timeout", "DURATION", "connect and idle timeout", &opts.wait);
//   std::vector<std::string> args = parser.ParseOrExit(argc, argv);
//   absl::Status s = Validate(opts);
//   if (!s.ok()) return parser.UsageError(s);
//
// Threads: main's thread, before any other starts: the parser uses
// getopt_long's globals (optind, optarg).
#ifndef IPCKIT_LIB_CLI_OPTIONS_H_
#define IPCKIT_LIB_CLI_OPTIONS_H_

#include <getopt.h>
#include <stdint.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "lib/cli/exit_code.h"
#include "lib/cli/values.h"

namespace ipckit::cli {

// kVersion is the version every ipckit tool reports with --version.
inline constexpr char kVersion[] = "0.1.0";

// ToolInfo describes a tool for its --help and error messages.
struct ToolInfo {
  std::string name;                // "nc": the prefix of every message.
  std::vector<std::string> usage;  // Synopsis lines after the name.
  std::string summary;             // One sentence on what the tool does.
  // Text after the option list (examples). An epilog that states the exit
  // status itself ("Exit status: ...") replaces the generic exit-status line.
  std::string epilog;
  // Stop at the first argument that is not an option, as for `tool run CMD -x`;
  // otherwise options may follow arguments (`nc host 80 -v`) as with GNU getopt.
  bool stop_at_first_argument = false;
};

// ParseResult is what Parse found besides option values.
struct ParseResult {
  enum class Action { kRun, kHelp, kVersion };
  Action action = Action::kRun;
  std::vector<std::string> args;  // Non-option arguments, in order.
};

class Parser {
 public:
  explicit Parser(ToolInfo info);
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Each declaration adds one option: `short_name` (0 for none) and
  // `long_name` (nullptr for none), the help text, and where its value goes.
  // `out` may also point to a std::optional, which is set only when the
  // option is given. Options given twice keep the last value, except Count
  // and Strings.

  // Flag sets *out to true.
  Parser& Flag(char short_name, const char* long_name, std::string help, bool* out);
  // Count adds one to *out each time it is given (-vv is 2).
  Parser& Count(char short_name, const char* long_name, std::string help, int* out);
  // Int parses a decimal integer in [min, max] (ParseInt).
  template <typename T>
  Parser& Int(char short_name, const char* long_name, std::string value_name, std::string help,
              T* out, int64_t min, int64_t max);
  // Duration parses `250ms`, `5s`, `2m`, or seconds (ParseDuration).
  template <typename T>
  Parser& Duration(char short_name, const char* long_name, std::string value_name,
                   std::string help, T* out);
  // Size parses a byte count such as `64K` or `1M`, at most `max` (ParseSize).
  template <typename T>
  Parser& Size(char short_name, const char* long_name, std::string value_name,
               std::string help, T* out,
               uint64_t max = std::numeric_limits<uint64_t>::max());
  // String stores the value as given; an empty value is a usage error
  // ("--exec: empty value"): an option given is never silently unset.
  template <typename T>
  Parser& String(char short_name, const char* long_name, std::string value_name,
                 std::string help, T* out);
  // Strings appends each value given: `-l A -l B`; none may be empty.
  Parser& Strings(char short_name, const char* long_name, std::string value_name,
                  std::string help, std::vector<std::string>* out);

  // Parse parses `argv` (argv[0] is the program name) into the declared
  // outputs and returns the remaining arguments, or what --help or --version
  // asked for. On a usage error it returns kInvalidArgument with a message
  // such as "invalid option -- 'x'", "unrecognized option '--foo'",
  // "option '--port' requires an argument" or
  // "-p/--port: invalid integer 'abc'". Not thread-safe (getopt_long).
  absl::StatusOr<ParseResult> Parse(const std::vector<std::string>& argv);

  // ParseOrExit is Parse for main: it prints --help or --version to stdout
  // and exits 0, prints a usage error and exits 2, or returns the arguments.
  std::vector<std::string> ParseOrExit(int argc, char** argv);

  // Help returns the generated --help text.
  std::string Help() const;

  // VersionText returns the --version text: "nc (ipckit) 0.1.0\n".
  std::string VersionText() const;

  // UsageError prints "tool: message" and "Try 'tool --help'." to stderr and
  // returns kExitUsage, for option conflicts found after parsing. Here and in
  // Fail and Finish, control bytes in the message (a file name's newline)
  // are written as \xNN: an error is one line.
  int UsageError(const absl::Status& status) const;

  // Fail prints "tool: message" to stderr and returns kExitFailure.
  int Fail(const absl::Status& status) const;

  // Finish is how main ends after Run: it returns ExitCode(status, rules),
  // printing "tool: message" first for a failure not already Reported (and
  // "Try 'tool --help'." when that code is kExitUsage).
  int Finish(const absl::Status& status, absl::Span<const ExitRule> rules = {}) const;

  const ToolInfo& info() const { return info_; }

 private:
  struct Option {
    char short_name;
    std::string long_name;
    std::string value_name;  // Empty for options without a value.
    std::string help;
    std::function<absl::Status(absl::string_view)> set;
  };

  Parser& Add(char short_name, const char* long_name, std::string value_name, std::string help,
              std::function<absl::Status(absl::string_view)> set);
  // AddParsed adds an option whose value `parse` (string_view -> StatusOr)
  // turns into what *out holds.
  template <typename T, typename ParseFn>
  Parser& AddParsed(char short_name, const char* long_name, std::string value_name,
                    std::string help, T* out, ParseFn parse);
  std::string DisplayName(const Option& o) const;
  // OptString and LongOptions are getopt_long's tables for the options.
  std::string OptString() const;
  std::vector<struct option> LongOptions() const;
  // Find returns the option getopt_long returned `val` for, or nullptr.
  const Option* Find(int val) const;
  // GetoptError turns getopt_long's ':' or '?' for the argument `current`
  // into GNU's message ("unrecognized option '--foo'").
  absl::Status GetoptError(int c, absl::string_view current, const std::vector<struct option>& longopts) const;
  // ShortHelp reports whether -h means --help: unless the tool declares -h.
  bool ShortHelp() const;
  template <typename T>
  struct ValueOf {
    using type = T;
  };
  template <typename T>
  struct ValueOf<std::optional<T>> {
    using type = T;
  };

  ToolInfo info_;
  std::vector<Option> options_;
  bool has_duration_ = false;  // Help explains duration syntax.
  bool has_size_ = false;      // Help explains size syntax.
};

template <typename T, typename ParseFn>
Parser& Parser::AddParsed(char short_name, const char* long_name, std::string value_name,
                          std::string help, T* out, ParseFn parse) {
  return Add(short_name, long_name, std::move(value_name), std::move(help),
             [out, parse](absl::string_view v) -> absl::Status {
               auto parsed = parse(v);
               if (!parsed.ok()) return parsed.status();
               *out = static_cast<typename ValueOf<T>::type>(*std::move(parsed));
               return absl::OkStatus();
             });
}

template <typename T>
Parser& Parser::Int(char short_name, const char* long_name, std::string value_name,
                    std::string help, T* out, int64_t min, int64_t max) {
  using V = typename ValueOf<T>::type;
  static_assert(std::is_integral_v<V>, "Int needs an integer field");
  // The field's own type bounds the range too, so a value never wraps.
  if constexpr (std::numeric_limits<V>::digits < 63) {
    max = std::min<int64_t>(max, static_cast<int64_t>(std::numeric_limits<V>::max()));
    min = std::max<int64_t>(min, static_cast<int64_t>(std::numeric_limits<V>::min()));
  } else if constexpr (std::is_unsigned_v<V>) {
    min = std::max<int64_t>(min, 0);
  }
  return AddParsed(short_name, long_name, std::move(value_name), std::move(help), out,
                   [min, max](absl::string_view v) { return ParseInt(v, min, max); });
}

template <typename T>
Parser& Parser::Duration(char short_name, const char* long_name, std::string value_name,
                         std::string help, T* out) {
  has_duration_ = true;
  return AddParsed(short_name, long_name, std::move(value_name), std::move(help), out,
                   [](absl::string_view v) { return ParseDuration(v); });
}

template <typename T>
Parser& Parser::Size(char short_name, const char* long_name, std::string value_name,
                     std::string help, T* out, uint64_t max) {
  using V = typename ValueOf<T>::type;
  static_assert(std::is_integral_v<V>, "Size needs an integer field");
  has_size_ = true;
  max = std::min<uint64_t>(max, static_cast<uint64_t>(std::numeric_limits<V>::max()));
  return AddParsed(short_name, long_name, std::move(value_name), std::move(help), out,
                   [max](absl::string_view v) { return ParseSize(v, max); });
}

template <typename T>
Parser& Parser::String(char short_name, const char* long_name, std::string value_name,
                       std::string help, T* out) {
  return AddParsed(short_name, long_name, std::move(value_name), std::move(help), out,
                   [](absl::string_view v) -> absl::StatusOr<std::string> {
                     if (v.empty()) return absl::InvalidArgumentError("empty value");
                     return std::string(v);
                   });
}

}  // namespace ipckit::cli

#endif  // IPCKIT_LIB_CLI_OPTIONS_H_
