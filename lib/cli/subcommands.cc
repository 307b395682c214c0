#include "lib/cli/subcommands.h"

#include <string.h>

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ipckit::cli {
namespace {

constexpr size_t kSummaryColumn = 20;

}  // namespace

std::string CommandsHelp(absl::Span<const Subcommand> table) {
  std::string out = "Commands:\n";
  for (const Subcommand& c : table) {
    std::vector<std::string> lines = absl::StrSplit(c.synopsis, '\n');
    std::string indent(2 + strlen(c.name) + 1, ' ');
    std::string first = absl::StrCat("  ", c.name, lines[0].empty() ? "" : " ", lines[0]);
    for (size_t i = 1; i < lines.size(); ++i) absl::StrAppend(&first, "\n", indent, lines[i]);
    if (lines.size() == 1 && first.size() + 2 <= kSummaryColumn) {
      absl::StrAppend(&out, first, std::string(kSummaryColumn - first.size(), ' '), c.summary, "\n");
    } else {
      absl::StrAppend(&out, first, "\n", std::string(kSummaryColumn, ' '), c.summary, "\n");
    }
  }
  return out;
}

int Dispatch(const ToolInfo& tool, absl::Span<const Subcommand> table, int argc, char** argv) {
  if (argc > 1) {
    for (const Subcommand& c : table) {
      if (strcmp(argv[1], c.name) == 0) return c.main(argc - 1, argv + 1);
    }
  }
  ToolInfo top = tool;
  if (top.usage.empty()) top.usage = {"COMMAND [OPTIONS] [ARGS]"};
  top.epilog = absl::StrCat(CommandsHelp(table), "Run '", tool.name, " COMMAND --help' for a command's options.",
                            tool.epilog.empty() ? "" : "\n", tool.epilog);
  top.stop_at_first_argument = true;
  Parser p(top);
  std::vector<std::string> args = p.ParseOrExit(argc, argv);
  return p.UsageError(absl::InvalidArgumentError(
      args.empty() ? "missing command" : absl::StrCat("unknown command '", args[0], "'")));
}

}  // namespace ipckit::cli
