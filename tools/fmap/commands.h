// commands.h: fmap's commands, each in the one shape every ipckit tool has:
// its flags declared once on a cli::Parser (DeclareX: the typed ones land in
// the Plan, the ones that need parsing beside it), ValidateX (pure: no file
// opened, read or listed; a usage error is kInvalidArgument, exit 2) into
// its Plan, and RunX, which reads what the plan names (the files, a
// --pages-from list, a pattern file) and does the work, returning OK, the
// error, or find's cli::ExitWith(1) when nothing matched. Each command's three
// live in its family's file: fmap.cc info and find, dump.cc dump and undump,
// write.cc write, resize, sync, advise and sum, residency.cc residency,
// touch and evict, lock.cc lock. main.cc is the command table.
//
// Threads: main's (parsing uses getopt_long's globals; lock holds signals).
#ifndef IPCKIT_TOOLS_FMAP_COMMANDS_H_
#define IPCKIT_TOOLS_FMAP_COMMANDS_H_

#include <stdint.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/cli/options.h"
#include "lib/cli/subcommands.h"
#include "lib/hex/hex_forms.h"
#include "tools/fmap/command_args.h"
#include "tools/fmap/fmap.h"

namespace ipckit::fmap {

// Each XxxFlags has `args`, what the parse leaves over (the files);
// FlagsOf is the flags of a command whose every flag is typed in its plan.
template <typename Plan>
struct FlagsOf {
  Plan plan;
  std::vector<std::string> args;
};

using cli::Streams;

struct InfoPlan {
  bool json = false;
  FilesArgs files;
};
using InfoFlags = FlagsOf<InfoPlan>;
void DeclareInfo(cli::Parser& p, InfoFlags* f);
absl::StatusOr<InfoPlan> ValidateInfo(const InfoFlags& f);
absl::Status RunInfo(const InfoPlan& p, Streams s);

struct FindPlan {
  FindOptions find;  // All but the pattern and its mask, which Run loads.
  bool progress = false;
  BytesArgs pattern;
  std::optional<std::string> mask;  // --mask's bytes.
  FilesArgs files;
};
struct FindFlags {
  FindPlan plan;
  std::vector<std::string> args;  // FILE...
  std::optional<std::string> mask;
  bool first = false, last = false, count = false, no_overlap = false;
};
void DeclareFind(cli::Parser& p, FindFlags* f);
absl::StatusOr<FindPlan> ValidateFind(const FindFlags& f);
absl::Status RunFind(const FindPlan& p, Streams s);

struct DumpPlan {
  DumpOptions dump;
  bool progress = false;
  std::string file;
};
struct DumpFlags {
  DumpPlan plan;
  std::vector<std::string> args;
  std::optional<std::string> skip, length;  // -s, -n: [-]SIZE.
  std::optional<int> cols, group;
  bool upper = false, little_endian = false, bits = false;
};
void DeclareDump(cli::Parser& p, DumpFlags* f);
absl::StatusOr<DumpPlan> ValidateDump(const DumpFlags& f);
absl::Status RunDump(const DumpPlan& p, Streams s);

struct UndumpPlan {
  std::string format = "plain";
  std::string file = "-";
};
struct UndumpFlags {
  UndumpPlan plan;
  std::vector<std::string> args;
};
void DeclareUndump(cli::Parser& p, UndumpFlags* f);
absl::StatusOr<UndumpPlan> ValidateUndump(const UndumpFlags& f);
absl::Status RunUndump(const UndumpPlan& p, Streams s);

struct WritePlan {
  WriteOptions write;  // All but the data, which Run loads.
  BytesArgs data;
  std::string file;
};
struct WriteFlags {
  WritePlan plan;
  std::vector<std::string> args;
};
void DeclareWrite(cli::Parser& p, WriteFlags* f);
absl::StatusOr<WritePlan> ValidateWrite(const WriteFlags& f);
absl::Status RunWrite(const WritePlan& p, Streams s);

struct ResizePlan {
  bool write = false, json = false;
  uint64_t size = 0;
  std::string file;
};
struct ResizeFlags {
  ResizePlan plan;
  std::optional<uint64_t> size;
  std::vector<std::string> args;
};
void DeclareResize(cli::Parser& p, ResizeFlags* f);
absl::StatusOr<ResizePlan> ValidateResize(const ResizeFlags& f);
absl::Status RunResize(const ResizePlan& p, Streams s);

// sync's flags and plan are info's: --json and the files.
using SyncPlan = InfoPlan;
using SyncFlags = InfoFlags;
void DeclareSync(cli::Parser& p, SyncFlags* f);
absl::StatusOr<SyncPlan> ValidateSync(const SyncFlags& f);
absl::Status RunSync(const SyncPlan& p, Streams s);

struct AdvisePlan {
  bool json = false;
  std::string advice;  // seq, random, willneed, dontneed or hugepage.
  FilesArgs files;
};
using AdviseFlags = FlagsOf<AdvisePlan>;
void DeclareAdvise(cli::Parser& p, AdviseFlags* f);
absl::StatusOr<AdvisePlan> ValidateAdvise(const AdviseFlags& f);
absl::Status RunAdvise(const AdvisePlan& p, Streams s);

struct SumPlan {
  std::string algo = "sha256";  // Or crc32c.
  uint64_t skip = 0;
  std::optional<uint64_t> length;
  bool json = false, progress = false;
  FilesArgs files;
};
using SumFlags = FlagsOf<SumPlan>;
void DeclareSum(cli::Parser& p, SumFlags* f);
absl::StatusOr<SumPlan> ValidateSum(const SumFlags& f);
absl::Status RunSum(const SumPlan& p, Streams s);

struct ResidencyPlan {
  ResidencyReportOptions report;  // All but the pages, which Run loads.
  FilesArgs files;
  PagesArgs pages;
};
using ResidencyFlags = FlagsOf<ResidencyPlan>;
void DeclareResidency(cli::Parser& p, ResidencyFlags* f);
absl::StatusOr<ResidencyPlan> ValidateResidency(const ResidencyFlags& f);
absl::Status RunResidency(const ResidencyPlan& p, Streams s);

// touch and evict: one plan, `touch` telling which.
struct TouchPlan {
  bool touch = true;
  bool json = false, progress = false;
  FilesArgs files;
  PagesArgs pages;
};
using TouchFlags = FlagsOf<TouchPlan>;
void DeclareTouch(cli::Parser& p, TouchFlags* f);  // Sets f->plan.touch from the parser's name.
absl::StatusOr<TouchPlan> ValidateTouch(const TouchFlags& f);
absl::Status RunTouch(const TouchPlan& p, Streams s);

struct LockPlan {
  LockOptions lock;  // All but the pages, which Run loads.
  FilesArgs files;
  PagesArgs pages;
};
struct LockFlags {
  LockPlan plan;
  std::vector<std::string> args;  // FILE...
  bool wait = false;
};
void DeclareLock(cli::Parser& p, LockFlags* f);
absl::StatusOr<LockPlan> ValidateLock(const LockFlags& f);
absl::Status RunLock(const LockPlan& p, Streams s);

}  // namespace ipckit::fmap

#endif  // IPCKIT_TOOLS_FMAP_COMMANDS_H_
