// fmap: search and dump files through mmap.
#include <signal.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "lib/cli/options.h"
#include "lib/io/fd.h"
#include "tools/fmap/fmap.h"

namespace {

using ipckit::cli::Parser;
using ipckit::cli::ToolInfo;

constexpr char kCommands[] = R"(Commands:
  info FILE...      size, type and page size
  find (--string S | --hex HEX | --pattern-file F) [--first|--last|--count]
       [--no-overlap] [--hex-offsets] FILE...
                    byte offsets of a pattern (any bytes); exit 1 if none
  dump [-s OFF] [-n LEN] [--format=hexdump|xxd|raw] FILE
                    byte-identical to hexdump -C or xxd
Run 'fmap COMMAND --help' for a command's options.
Exit status: 0 ok (find: found), 1 failure (find: not found), 2 usage error.)";

int Finish(const Parser& p, const absl::Status& s) {
  if (s.ok()) return ipckit::cli::kExitOk;
  if (absl::IsInvalidArgument(s)) return p.UsageError(s);
  return p.Fail(s);
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  if (!ipckit::EnsureStandardFds().ok()) return 1;
  std::string cmd = argc > 1 ? argv[1] : "";
  bool json = false;
  if (cmd == "info") {
    Parser p(ToolInfo{"fmap info", {"FILE..."}, "Show size, type and page size.", "", false});
    p.Flag(0, "json", "one JSON object per file", &json);
    std::vector<std::string> files = p.ParseOrExit(argc - 1, argv + 1);
    if (files.empty()) return p.UsageError(absl::InvalidArgumentError("missing FILE"));
    return Finish(p, ipckit::fmap::Info(files, json, std::cout));
  }
  if (cmd == "find") {
    ipckit::fmap::FindOptions o;
    std::optional<std::string> text, hex, pattern_file;
    bool first = false, last = false, count = false, no_overlap = false;
    Parser p(ToolInfo{"fmap find", {"(--string S | --hex HEX | --pattern-file F) [options] FILE..."},
                      "Print the byte offset of every match of a pattern (overlapping by default).",
                      "Exit status: 0 if a match was found, 1 if not (or on an error), 2 usage error.", false});
    p.String(0, "string", "S", "the pattern, as given", &text)
        .String(0, "hex", "HEX", "the pattern in hex (\"de ad be ef\", \"0xde,0xad\")", &hex)
        .String(0, "pattern-file", "FILE", "the pattern is FILE's bytes (any, newlines too)", &pattern_file)
        .Flag(0, "first", "only the first match per file", &first)
        .Flag(0, "last", "only the last match per file", &last)
        .Flag('c', "count", "only the number of matches per file", &count)
        .Flag(0, "no-overlap", "matches may not overlap (\"aa\" in \"aaaa\": 0, 2)", &no_overlap)
        .Flag(0, "hex-offsets", "print offsets in hex (0x...)", &o.hex_offsets);
    std::vector<std::string> files = p.ParseOrExit(argc - 1, argv + 1);
    int given = text.has_value() + hex.has_value() + pattern_file.has_value();
    if (given != 1) return p.UsageError(absl::InvalidArgumentError("give exactly one of --string, --hex and --pattern-file"));
    if (first + last + count > 1) return p.UsageError(absl::InvalidArgumentError("give at most one of --first, --last and --count"));
    if (files.empty()) return p.UsageError(absl::InvalidArgumentError("missing FILE"));
    if (text) o.pattern = *text;
    if (hex) {
      absl::StatusOr<std::string> bytes = ipckit::fmap::ParseHex(*hex);
      if (!bytes.ok()) return p.UsageError(bytes.status());
      o.pattern = *bytes;
    }
    if (pattern_file) {
      std::ifstream f(*pattern_file, std::ios::binary);
      if (!f) return p.Fail(absl::NotFoundError(absl::StrCat("open ", *pattern_file, ": cannot read")));
      std::stringstream ss;
      ss << f.rdbuf();
      o.pattern = ss.str();
    }
    if (o.pattern.empty()) return p.UsageError(absl::InvalidArgumentError("empty pattern"));
    o.mode = first ? ipckit::fmap::FindOptions::Mode::kFirst
             : last ? ipckit::fmap::FindOptions::Mode::kLast
             : count ? ipckit::fmap::FindOptions::Mode::kCount
                     : ipckit::fmap::FindOptions::Mode::kAll;
    o.overlap = !no_overlap;
    absl::StatusOr<bool> found = ipckit::fmap::Find(o, files, std::cout);
    std::cout.flush();
    if (!found.ok()) return Finish(p, found.status());
    return *found ? 0 : ipckit::fmap::kExitNotFound;
  }
  if (cmd == "dump") {
    ipckit::fmap::DumpOptions o;
    std::optional<uint64_t> length;
    Parser p(ToolInfo{"fmap dump", {"[-s OFF] [-n LEN] [--format=hexdump|xxd|raw] FILE"},
                      "Dump bytes exactly as hexdump -C (default) or xxd would, or raw.", "", false});
    p.Size('s', "skip", "OFF", "start at byte OFF", &o.skip)
        .Size('n', "length", "LEN", "dump at most LEN bytes", &length)
        .String('f', "format", "FORMAT", "hexdump (default), xxd or raw", &o.format);
    std::vector<std::string> files = p.ParseOrExit(argc - 1, argv + 1);
    if (files.size() != 1) return p.UsageError(absl::InvalidArgumentError("expected one FILE"));
    o.length = length;
    absl::Status s = ipckit::fmap::Dump(o, files[0], std::cout);
    std::cout.flush();
    if (s.ok() && !std::cout) s = absl::UnavailableError("write stdout: failed");
    return Finish(p, s);
  }
  Parser p(ToolInfo{"fmap", {"COMMAND [OPTIONS] [ARGS]"}, "Search and dump files through mmap.", kCommands, true});
  std::vector<std::string> args = p.ParseOrExit(argc, argv);
  return p.UsageError(absl::InvalidArgumentError(args.empty() ? "missing command" : absl::StrCat("unknown command '", args[0], "'")));
}
