#include "lib/cli/options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <iostream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace ipckit::cli {
namespace {

// Values getopt_long returns for options without a short name start here,
// above every char.
constexpr int kLongOnlyBase = 256;
constexpr int kHelpVal = kLongOnlyBase - 1;     // --help (and -h when free).
constexpr int kVersionVal = kLongOnlyBase - 2;  // --version.

absl::Status Usage(std::string message) { return absl::InvalidArgumentError(std::move(message)); }

}  // namespace

Parser::Parser(ToolInfo info) : info_(std::move(info)) {}

Parser& Parser::Add(char short_name, const char* long_name, std::string value_name,
                    std::string help, std::function<absl::Status(absl::string_view)> set) {
  options_.push_back(Option{short_name, long_name == nullptr ? "" : long_name,
                            std::move(value_name), std::move(help), std::move(set)});
  return *this;
}

Parser& Parser::Flag(char short_name, const char* long_name, std::string help, bool* out) {
  return Add(short_name, long_name, "", std::move(help), [out](absl::string_view) {
    *out = true;
    return absl::OkStatus();
  });
}

Parser& Parser::Count(char short_name, const char* long_name, std::string help, int* out) {
  return Add(short_name, long_name, "", std::move(help), [out](absl::string_view) {
    ++*out;
    return absl::OkStatus();
  });
}

Parser& Parser::Strings(char short_name, const char* long_name, std::string value_name,
                        std::string help, std::vector<std::string>* out) {
  return Add(short_name, long_name, std::move(value_name), std::move(help),
             [out](absl::string_view v) {
               if (v.empty()) return absl::InvalidArgumentError("empty value");
               out->emplace_back(v);
               return absl::OkStatus();
             });
}

std::string Parser::DisplayName(const Option& o) const {
  if (o.short_name != 0 && !o.long_name.empty()) {
    return absl::StrCat("-", std::string(1, o.short_name), "/--", o.long_name);
  }
  if (o.short_name != 0) return absl::StrCat("-", std::string(1, o.short_name));
  return absl::StrCat("--", o.long_name);
}

bool Parser::ShortHelp() const {
  return std::none_of(options_.begin(), options_.end(),
                      [](const Option& o) { return o.short_name == 'h'; });
}

std::string Parser::OptString() const {
  std::string optstring = info_.stop_at_first_argument ? "+:" : ":";
  if (ShortHelp()) optstring += "h";
  for (const Option& o : options_) {
    if (o.short_name == 0) continue;
    optstring += o.short_name;
    if (!o.value_name.empty()) optstring += ':';
  }
  return optstring;
}

std::vector<struct option> Parser::LongOptions() const {
  std::vector<struct option> longopts;
  for (size_t i = 0; i < options_.size(); ++i) {
    const Option& o = options_[i];
    int val = o.short_name != 0 ? static_cast<unsigned char>(o.short_name) : kLongOnlyBase + static_cast<int>(i);
    if (!o.long_name.empty()) {
      longopts.push_back({o.long_name.c_str(), o.value_name.empty() ? no_argument : required_argument, nullptr, val});
    }
  }
  longopts.push_back({"help", no_argument, nullptr, kHelpVal});
  longopts.push_back({"version", no_argument, nullptr, kVersionVal});
  longopts.push_back({nullptr, 0, nullptr, 0});
  return longopts;
}

const Parser::Option* Parser::Find(int val) const {
  if (val >= kLongOnlyBase) return &options_[static_cast<size_t>(val - kLongOnlyBase)];
  for (const Option& o : options_) {
    if (o.short_name != 0 && static_cast<unsigned char>(o.short_name) == val) return &o;
  }
  return nullptr;
}

absl::Status Parser::GetoptError(int c, absl::string_view current, const std::vector<struct option>& longopts) const {
  if (c == ':') {  // A missing value: always the last argument looked at.
    if (absl::StartsWith(current, "--")) return Usage(absl::StrCat("option '", current, "' requires an argument"));
    return Usage(absl::StrCat("option requires an argument -- '", std::string(1, static_cast<char>(optopt)), "'"));
  }
  absl::string_view name = current.substr(0, current.find('='));
  if (optopt == 0) {  // An unknown or ambiguous long option.
    int matches = 0;
    for (const struct option& lo : longopts) {
      if (lo.name != nullptr && absl::StartsWith(lo.name, name.substr(2))) ++matches;
    }
    if (matches > 1) return Usage(absl::StrCat("option '", name, "' is ambiguous"));
    return Usage(absl::StrCat("unrecognized option '", name, "'"));
  }
  if (optopt == kHelpVal || optopt == kVersionVal || Find(optopt) != nullptr) {
    return Usage(absl::StrCat("option '", name, "' doesn't allow an argument"));
  }
  return Usage(absl::StrCat("invalid option -- '", std::string(1, static_cast<char>(optopt)), "'"));
}

namespace {

// ExactLongName returns kInvalidArgument "unrecognized option '--hex'" when
// the long option getopt_long just matched (`name`) was given abbreviated.
// getopt_long takes any unambiguous prefix, so ncat's --ssl-verify would be
// --ssl-verify-client and swallow the next word, and a new option could
// change what an old command line means; every long option is spelled out.
// The option's text is the argument before optind, or the one before that
// when its value was the separate argument at optind - 1.
absl::Status ExactLongName(const std::vector<char*>& args, int optind_now, const char* name) {
  int at = optind_now - 1;
  if (optarg != nullptr && at >= 1 && optarg == args[static_cast<size_t>(at)]) --at;
  if (at < 1) return absl::OkStatus();
  absl::string_view text = args[static_cast<size_t>(at)];
  if (!absl::ConsumePrefix(&text, "--")) return absl::OkStatus();
  absl::string_view given = text.substr(0, text.find('='));
  if (given == name) return absl::OkStatus();
  return Usage(absl::StrCat("unrecognized option '--", given, "'"));
}

}  // namespace

absl::StatusOr<ParseResult> Parser::Parse(const std::vector<std::string>& argv) {
  const bool short_h_free = ShortHelp();
  const std::string optstring = OptString();
  const std::vector<struct option> longopts = LongOptions();
  // getopt_long permutes argv, so it gets a private, mutable copy.
  std::vector<std::string> storage = argv;
  if (storage.empty()) storage.push_back(info_.name);
  std::vector<char*> args;
  for (std::string& s : storage) args.push_back(s.data());
  args.push_back(nullptr);
  int argc = static_cast<int>(storage.size());

  ParseResult result;
  optind = 0;  // glibc: full re-initialisation for this parse.
  opterr = 0;  // We report errors ourselves.
  for (;;) {
    int longindex = -1;
    int c = getopt_long(argc, args.data(), optstring.c_str(), longopts.data(), &longindex);
    if (c == -1) break;
    if (longindex >= 0) {
      absl::Status exact = ExactLongName(args, optind, longopts[static_cast<size_t>(longindex)].name);
      if (!exact.ok()) return exact;
    }
    if (c == 'h' && short_h_free) c = kHelpVal;
    if (c == kHelpVal || c == kVersionVal) {
      result.action = c == kHelpVal ? ParseResult::Action::kHelp : ParseResult::Action::kVersion;
      continue;
    }
    // The argument getopt_long just looked at, for messages about long options.
    absl::string_view current = optind >= 1 && optind <= argc ? args[optind - 1] : "";
    if (c == ':' || c == '?') return GetoptError(c, current, longopts);
    const Option* o = Find(c);
    if (o == nullptr) return absl::InternalError(absl::StrCat("getopt_long returned ", c));
    absl::Status s = o->set(optarg == nullptr ? "" : optarg);
    if (!s.ok()) return Usage(absl::StrCat(DisplayName(*o), ": ", s.message()));
  }
  for (int i = optind; i < argc; ++i) result.args.emplace_back(args[i]);
  return result;
}

std::vector<std::string> Parser::ParseOrExit(int argc, char** argv) {
  absl::StatusOr<ParseResult> r = Parse(std::vector<std::string>(argv, argv + argc));
  if (!r.ok()) exit(UsageError(r.status()));
  switch (r->action) {
    case ParseResult::Action::kHelp:
      std::cout << Help() << std::flush;
      exit(kExitOk);
    case ParseResult::Action::kVersion:
      std::cout << VersionText() << std::flush;
      exit(kExitOk);
    case ParseResult::Action::kRun:
      break;
  }
  return std::move(r->args);
}

std::string Parser::Help() const {
  std::string out;
  for (size_t i = 0; i < info_.usage.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "Usage: " : "       ", info_.name, " ", info_.usage[i], "\n");
  }
  if (info_.usage.empty()) absl::StrAppend(&out, "Usage: ", info_.name, " [OPTION]...\n");
  if (!info_.summary.empty()) absl::StrAppend(&out, info_.summary, "\n");

  std::vector<std::pair<std::string, std::string>> rows;
  for (const Option& o : options_) {
    std::string left = o.short_name != 0 ? absl::StrCat("-", std::string(1, o.short_name)) : "  ";
    if (!o.long_name.empty()) {
      absl::StrAppend(&left, o.short_name != 0 ? ", " : "  ", "--", o.long_name);
      if (!o.value_name.empty()) absl::StrAppend(&left, "=", o.value_name);
    } else if (!o.value_name.empty()) {
      absl::StrAppend(&left, " ", o.value_name);
    }
    rows.emplace_back(std::move(left), o.help);
  }
  rows.emplace_back(ShortHelp() ? "-h, --help" : "    --help", "show this help and exit");
  rows.emplace_back("    --version", "show the version and exit");

  size_t width = 0;
  for (const auto& row : rows) width = std::max(width, row.first.size());
  width = std::min<size_t>(width, 28);
  absl::StrAppend(&out, "\nOptions:\n");
  for (const auto& [left, help] : rows) {
    absl::StrAppend(&out, "  ", left);
    if (left.size() > width) {
      absl::StrAppend(&out, "\n  ", std::string(width, ' '));
    } else {
      out.append(width - left.size(), ' ');
    }
    absl::StrAppend(&out, "  ", help, "\n");
  }
  if (!info_.epilog.empty()) absl::StrAppend(&out, "\n", info_.epilog, "\n");
  if (has_duration_) {
    absl::StrAppend(&out, "\nDurations take a unit: 250ms, 5s, 2m, 1h; a bare number is seconds.\n");
  }
  if (has_size_) absl::StrAppend(&out, "\nSizes take a binary unit: 512, 64K, 1M, 2G.\n");
  if (!absl::StrContains(info_.epilog, "Exit status")) {
    absl::StrAppend(&out, "\nExit status: 0 success, 1 runtime failure, 2 usage error.\n");
  }
  return out;
}

std::string Parser::VersionText() const {
  return absl::StrCat(info_.name, " (ipckit) ", kVersion, "\n");
}

namespace {

// OneLine returns `message` with control bytes (a file name's newline, an
// escape) written as \xNN, so that an error is always one line of stderr.
std::string OneLine(absl::string_view message) {
  std::string out;
  for (char c : message) {
    unsigned char b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7f) {
      absl::StrAppend(&out, "\\x", absl::Hex(b, absl::kZeroPad2));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

int Parser::UsageError(const absl::Status& status) const {
  std::cerr << info_.name << ": " << OneLine(status.message()) << "\n"
            << "Try '" << info_.name << " --help'.\n";
  return kExitUsage;
}

int Parser::Fail(const absl::Status& status) const {
  std::cerr << info_.name << ": " << OneLine(status.message()) << "\n";
  return kExitFailure;
}

int Parser::Finish(const absl::Status& status, absl::Span<const ExitRule> rules) const {
  int code = ExitCode(status, rules);
  if (code == kExitUsage && !IsReported(status)) return UsageError(status);
  if (!status.ok() && !IsReported(status)) std::cerr << info_.name << ": " << OneLine(status.message()) << "\n";
  return code;
}

}  // namespace ipckit::cli
