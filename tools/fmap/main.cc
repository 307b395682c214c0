// fmap: search, dump, patch and inspect files through mmap. Each command is
// a row of kCommands, and its flags, plan and run are in its family's file
// (commands.h): main parses, validates and runs, through one function.
#include <signal.h>

#include <iostream>

#include "absl/strings/str_cat.h"
#include "lib/cli/options.h"
#include "lib/cli/subcommands.h"
#include "lib/io/fd.h"
#include "tools/fmap/commands.h"

namespace {

using ipckit::cli::Parser;
using ipckit::cli::Command;
using ipckit::cli::kUsageRules;
using ipckit::cli::ToolInfo;
namespace fmap = ipckit::fmap;

int Info(int argc, char** argv) {
  return Command(ToolInfo{"fmap info", {"FILE..."}, "Show size, type, page size and page-cache residency.", "", false},
                 fmap::DeclareInfo, fmap::ValidateInfo, fmap::RunInfo, kUsageRules, argc, argv);
}

int Find(int argc, char** argv) {
  return Command(ToolInfo{"fmap find", {"(--string S | --hex HEX | --pattern-file F) [options] FILE..."},
                          "Print the byte offset of every match of a pattern (overlapping by default).",
                          "Exit status: 0 if a match was found, 1 if not (or on an error), 2 usage error.", false},
                 fmap::DeclareFind, fmap::ValidateFind, fmap::RunFind, kUsageRules, argc, argv);
}

int Dump(int argc, char** argv) {
  return Command(ToolInfo{"fmap dump", {"[-s [-]OFF] [-n [-]LEN] [--format=hexdump|xxd|plain|include|raw] FILE"},
                          "Dump bytes exactly as hexdump -C (default), xxd, xxd -p or xxd -i would, or raw.\n"
                          "A negative -s counts from the end (xxd -s -16); a negative -n leaves that\n"
                          "many bytes out at the end (head -c -N).",
                          "", false},
                 fmap::DeclareDump, fmap::ValidateDump, fmap::RunDump, kUsageRules, argc, argv);
}

int Undump(int argc, char** argv) {
  return Command(ToolInfo{"fmap undump", {"[--format=plain|xxd|hexdump] [FILE]"},
                          "Turn a hex dump back into its bytes, on stdout: plain hex (xxd -p; what\n"
                          "xxd -r -p reads), xxd's layout (as xxd -r) or hexdump -C's (its '*' lines too).",
                          "", false},
                 fmap::DeclareUndump, fmap::ValidateUndump, fmap::RunUndump, kUsageRules, argc, argv);
}

int Write(int argc, char** argv) {
  return Command(ToolInfo{"fmap write", {"--write --offset N (--string S | --hex HEX | --from FILE) FILE"},
                          "Patch bytes in place. Refuses without --write, and past the end without --extend.",
                          "Exit status: 0 written, 1 failure, 2 usage error or refused.", false},
                 fmap::DeclareWrite, fmap::ValidateWrite, fmap::RunWrite, kUsageRules, argc, argv);
}

int Resize(int argc, char** argv) {
  return Command(ToolInfo{"fmap resize", {"--write --size N FILE"}, "Set a file's size (refuses without --write).", "",
                          false},
                 fmap::DeclareResize, fmap::ValidateResize, fmap::RunResize, kUsageRules, argc, argv);
}

int Sync(int argc, char** argv) {
  return Command(ToolInfo{"fmap sync", {"FILE..."}, "Flush files' data to their device.", "", false},
                 fmap::DeclareSync, fmap::ValidateSync, fmap::RunSync, kUsageRules, argc, argv);
}

int Advise(int argc, char** argv) {
  return Command(ToolInfo{"fmap advise", {"--advice ADVICE FILE..."}, "Give the kernel advice about whole files.",
                          "Advice:\n"
                          "  willneed  read the file into the page cache now\n"
                          "  dontneed  drop its clean pages from the page cache\n"
                          "  hugepage  back its cached pages with huge pages (MADV_COLLAPSE; tmpfs with huge=,\n"
                          "            or a kernel with CONFIG_READ_ONLY_THP_FOR_FS)\n"
                          "  seq, random  read-ahead hints; they belong to an open file, so they end when\n"
                          "            fmap exits (kept for scripts that try the call, as Python's madvise)",
                          false},
                 fmap::DeclareAdvise, fmap::ValidateAdvise, fmap::RunAdvise, kUsageRules, argc, argv);
}

int Residency(int argc, char** argv) {
  return Command(ToolInfo{"fmap residency", {"[--ranges] FILE..."},
                          "Count each file's pages in the page cache (cachestat, else mincore), without reading it.",
                          "", false},
                 fmap::DeclareResidency, fmap::ValidateResidency, fmap::RunResidency, kUsageRules, argc, argv);
}

int TouchOrEvict(int argc, char** argv) {
  std::string cmd = argv[0];
  return Command(ToolInfo{absl::StrCat("fmap ", cmd), {"FILE..."},
                          cmd == "touch" ? "Read every page of each file into the page cache."
                                         : "Drop each file's clean pages from the page cache.",
                          "", false},
                 fmap::DeclareTouch, fmap::ValidateTouch, fmap::RunTouch, kUsageRules, argc, argv);
}

int Lock(int argc, char** argv) {
  return Command(ToolInfo{"fmap lock", {"[--daemon [--pidfile F]] FILE..."},
                          "Lock files in memory until SIGINT or SIGTERM (vmtouch -l; --daemon: vmtouch -dlw).", "", false},
                 fmap::DeclareLock, fmap::ValidateLock, fmap::RunLock, kUsageRules, argc, argv);
}

int Sum(int argc, char** argv) {
  return Command(ToolInfo{"fmap sum", {"[--algo sha256|crc32c] [-s OFF] [-n LEN] FILE..."},
                          "Checksum a file or a range of it.", "", false},
                 fmap::DeclareSum, fmap::ValidateSum, fmap::RunSum, kUsageRules, argc, argv);
}

// kCommands is fmap's command table: one row per command.
constexpr ipckit::cli::Subcommand kCommands[] = {
    {"info", "FILE...", "size, type, page size and pages in the page cache", Info},
    {"find", "(--string S | --hex HEX | --pattern-file F) [--first|--last|--count]\n[--no-overlap] [--hex-offsets] FILE...",
     "byte offsets of a pattern (any bytes); exit 1 if none", Find},
    {"dump", "[-s [-]OFF] [-n [-]LEN] [--format=hexdump|xxd|plain|include|raw] FILE",
     "byte-identical to hexdump -C, xxd, xxd -p or xxd -i", Dump},
    {"undump", "[--format=plain|xxd|hexdump] [FILE]", "bytes back from a dump (xxd -r, xxd -r -p)", Undump},
    {"write", "--write --offset N (--string S | --hex HEX | --from FILE) [--extend] [--sync] FILE",
     "patch bytes in place through a shared mapping", Write},
    {"resize", "--write --size N FILE", "set the file's size", Resize},
    {"sync", "FILE...", "flush the files' data to their device", Sync},
    {"advise", "--advice seq|random|willneed|dontneed|hugepage FILE...",
     "read into or drop from the page cache, or use huge pages", Advise},
    {"sum", "[--algo sha256|crc32c] [-s OFF] [-n LEN] FILE...", "checksum files or a range (sha256sum's output format)", Sum},
    {"residency", "[--ranges] FILE...", "pages in the page cache, and where (cachestat, else mincore)", Residency},
    {"touch", "FILE...", "read every page into the page cache", TouchOrEvict},
    {"evict", "FILE...", "drop the file's clean pages from the page cache", TouchOrEvict},
    {"lock", "FILE...", "mlock the files and hold them until SIGINT or SIGTERM", Lock},
};

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  if (!ipckit::io::EnsureStandardFds().ok()) return 1;
  return ipckit::cli::Dispatch({"fmap", {}, "Search, dump, patch and inspect files through mmap.",
                                "Every command takes --json; those that take FILE... also take -r (directories)\n"
                                "and --files-from FILE (with -0 for NUL-separated names).\n\n"
                                "Exit status: 0 ok (find: found), 1 failure (find: not found), 2 usage error.",
                                true},
                               kCommands, argc, argv);
}
