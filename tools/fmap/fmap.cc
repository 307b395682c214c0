// fmap.cc: what the families share (hex patterns, page totals) and the
// read-only inspection commands: info and find. The rest by family:
// dump.cc (dump, undump), write.cc (write, resize, sync, advise, sum),
// residency.cc (residency, touch, evict), lock.cc (lock).
#include "tools/fmap/fmap.h"
#include "tools/fmap/commands.h"
#include "lib/cli/exit_code.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <ostream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/json/json_writer.h"
#include "lib/hex/dump.h"
#include "lib/mmap/find.h"
#include "lib/hex/hex_forms.h"
#include "lib/mmap/mapped_file.h"
#include "lib/mmap/residency.h"
#include "lib/hex/undump.h"
#include "tools/fmap/progress.h"


namespace ipckit::fmap {

absl::StatusOr<HexPattern> ParseHexPattern(const std::string& text) {
  std::string digits;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '0' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
      ++i;  // A "0x" prefix.
      continue;
    }
    if (absl::ascii_isxdigit(c) || c == '?') {
      digits.push_back(c);
    } else if (c != ' ' && c != ',' && c != ':' && c != '\n' && c != '\t') {
      return absl::InvalidArgumentError(absl::StrCat("--hex: invalid character '", std::string(1, c), "'"));
    }
  }
  if (digits.size() % 2 != 0) return absl::InvalidArgumentError("--hex: odd number of hex digits");
  if (digits.empty()) return absl::InvalidArgumentError("--hex: empty pattern");
  HexPattern out;
  auto v = [](char c) { return c == '?' ? 0 : absl::ascii_isdigit(c) ? c - '0' : absl::ascii_tolower(c) - 'a' + 10; };
  for (size_t i = 0; i < digits.size(); i += 2) {
    out.bytes.push_back(static_cast<char>(v(digits[i]) * 16 + v(digits[i + 1])));
    out.mask.push_back(static_cast<char>((digits[i] == '?' ? 0 : 0xf0) | (digits[i + 1] == '?' ? 0 : 0x0f)));
  }
  return out;
}

absl::StatusOr<std::string> ParseHex(const std::string& text) {
  if (text.find('?') != std::string::npos) {
    return absl::InvalidArgumentError("--hex: '?' wildcards are for find's pattern only");
  }
  absl::StatusOr<HexPattern> p = ParseHexPattern(text);
  if (!p.ok()) return p.status();
  return p->bytes;
}

void PageTotals::Add(const mmap::Residency& r) {
  size += r.size;
  pages += r.pages;
  if (r.known) resident += r.resident;
}

void PageTotals::Write(size_t files, bool json, std::ostream& out) const {
  if (json) {
    out << json::JsonWriter().BeginObject().Key("total").Bool(true).Key("files").Uint(files).Key("size").Uint(size)
               .Key("pages").Uint(pages).Key("resident").Uint(resident).EndObject().str() << "\n";
  } else {
    out << absl::StrFormat("total: %d files, %d bytes, %d of %d pages resident\n", files, size, resident, pages);
  }
}

absl::Status Info(const std::vector<std::string>& files, bool json, std::ostream& out) {
  long page = ::sysconf(_SC_PAGESIZE);
  PageTotals totals;
  for (const std::string& f : files) {
    absl::StatusOr<mmap::MappedFile> m = mmap::MappedFile::Open(f);
    if (!m.ok()) return m.status();
    // MappedFile streams a regular file of size 0: it may be empty, or a
    // /proc file whose size is only known by reading it. One byte tells.
    struct stat st;
    char probe;
    bool empty_file = m->streamed() && ::fstat(m->fd(), &st) == 0 && S_ISREG(st.st_mode) &&
                      ::pread(m->fd(), &probe, 1, 0) == 0;
    bool streamed = m->streamed() && !empty_file;
    const char* type = m->block_device() ? "block device" : streamed ? "stream" : "file";
    std::optional<mmap::Residency> r;  // None for a stream: its size is known only by reading it all.
    if (!streamed) {
      absl::StatusOr<mmap::Residency> got = mmap::GetResidency(*m);
      if (!got.ok()) return got.status();
      r = *got;
    }
    bool known = r && r->known;
    if (r) totals.Add(*r);
    if (json) {
      json::JsonWriter j;
      j.BeginObject().Key("file").String(f).Key("size");
      if (r) j.Uint(r->size); else j.Null();
      j.Key("type").String(type).Key("page_size").Int(page).Key("pages");
      if (r) j.Uint(r->pages); else j.Null();
      j.Key("resident");
      if (known) j.Uint(r->resident); else j.Null();
      out << j.EndObject().str() << "\n";
      continue;
    }
    out << f << ": " << (r ? absl::StrCat(r->size, " bytes") : "size unknown")
        << absl::StrFormat(", %s, page size %d", type, page);
    if (known) {
      out << absl::StrFormat(", %d of %d pages resident", r->resident, r->pages);
    } else if (r) {
      out << ", residency unknown";
    }
    out << "\n";
  }
  if (files.size() > 1) totals.Write(files.size(), json, out);
  return absl::OkStatus();
}

namespace {

// ShowContext writes xxd's lines for [at - context, at + size + context),
// clipped to the file.
void ShowContext(const mmap::MappedFile& m, uint64_t at, size_t size, uint64_t context, std::ostream& out) {
  uint64_t start = at - std::min(at, context);
  std::string text;
  hex::HexDumper d(hex::HexDumper::Format::kXxd, start, &text);
  (void)m.ForEachChunk(start, at - start + size + context, [&](uint64_t, absl::string_view data) {
    d.Write(data);
    return true;
  });
  d.Finish();
  out << text;
}

}  // namespace

absl::StatusOr<bool> Find(const FindOptions& o, const std::vector<std::string>& files,
                          std::ostream& out) {
  bool any = false;
  bool any_shown = false;  // --context: a match was shown, so "--" goes before the next.
  for (const std::string& f : files) {
    absl::StatusOr<mmap::MappedFile> m = mmap::MappedFile::Open(f);
    if (!m.ok()) return m.status();
    uint64_t count = 0, last = 0;
    mmap::FindOptions fo;
    fo.overlap = o.overlap;
    fo.mask = o.mask;
    Progress progress(o.progress, absl::StrCat("fmap find ", f), m->size());
    if (o.progress.out != nullptr) fo.progress = [&](uint64_t done) { progress.Update(done); };
    std::string prefix = files.size() > 1 ? absl::StrCat(f, ":") : "";
    bool listed = o.mode == FindOptions::Mode::kAll || o.mode == FindOptions::Mode::kFirst;
    // JSON streams the offsets as they are found: {"file":F,"offsets":[...],"count":N}.
    json::JsonWriter j;
    if (o.json) {
      j.BeginObject().Key("file").String(f);
      if (o.mode != FindOptions::Mode::kCount) j.Key("offsets").BeginArray();
    }
    auto show = [&](uint64_t at) {
      if (o.json) {
        j.Uint(at);
        if (j.str().size() >= (1 << 16)) j.FlushTo(out);
      } else {
        if (o.context > 0 && any_shown) out << "--\n";
        out << (o.hex_offsets ? absl::StrFormat("%s0x%x\n", prefix, at) : absl::StrFormat("%s%d\n", prefix, at));
        if (o.context > 0) ShowContext(*m, at, o.pattern.size(), o.context, out);
        any_shown = true;
      }
    };
    auto end_json = [&](bool with_count) {
      if (o.mode != FindOptions::Mode::kCount) j.EndArray();
      if (with_count) j.Key("count").Uint(count);
      j.EndObject().FlushTo(out);
      out << "\n";
    };
    absl::Status s;
    if (o.mode == FindOptions::Mode::kLast && o.overlap) {
      // From the end (without overlap, the last match depends on all before it).
      absl::StatusOr<std::optional<uint64_t>> at = mmap::RFind(*m, o.pattern, 0, mmap::MappedFile::kUnbounded, o.mask);
      s = at.status();
      if (at.ok() && at->has_value()) {
        count = 1;
        last = **at;
      }
    } else {
      s = mmap::Find(*m, o.pattern, fo, [&](uint64_t at) {
        ++count;
        last = at;
        if (listed) show(at);
        return o.mode != FindOptions::Mode::kFirst;
      });
    }
    if (!s.ok()) {
      if (o.json) end_json(false);
      return s;
    }
    if (o.mode == FindOptions::Mode::kLast && count > 0) show(last);
    if (o.json) {
      end_json(true);
    } else if (o.mode == FindOptions::Mode::kCount) {
      out << prefix << count << "\n";
    }
    any = any || count > 0;
  }
  return any;
}

void DeclareInfo(cli::Parser& p, InfoFlags* f) {
  p.Flag(0, "json", "one JSON object per file", &f->plan.json);
  f->plan.files.Declare(p);
}

absl::StatusOr<InfoPlan> ValidateInfo(const InfoFlags& f) { return WithFiles(f.plan, f.args); }

absl::Status RunInfo(const InfoPlan& p, Streams s) {
  absl::StatusOr<std::vector<std::string>> files = p.files.Load("fmap info", s.err);
  if (!files.ok()) return files.status();
  if (absl::Status st = Info(*files, p.json, s.out); !st.ok()) return st;
  return absl::OkStatus();
}

void DeclareFind(cli::Parser& p, FindFlags* f) {
  FindPlan& o = f->plan;
  o.pattern.Declare(p, "the pattern in hex (\"de ad be ef\", \"0xde,0xad\"); ? is any digit (\"6e ?? 65\")",
                    "pattern-file", "the pattern is FILE's bytes (any, newlines too)");
  p.String(0, "mask", "HEX", "compare only these bits of each pattern byte (\"ff f0 ff\")", &f->mask)
      .Flag(0, "first", "only the first match per file", &f->first)
      .Flag(0, "last", "only the last match per file (searched from the end)", &f->last)
      .Flag('c', "count", "only the number of matches per file", &f->count)
      .Flag(0, "no-overlap", "matches may not overlap (\"aa\" in \"aaaa\": 0, 2)", &f->no_overlap)
      .Flag(0, "hex-offsets", "print offsets in hex (0x...)", &o.find.hex_offsets)
      .Size('C', "context", "N", "after each offset, xxd lines of the match and N bytes either side", &o.find.context)
      .Flag(0, "json", "one JSON object per file: {\"file\",\"offsets\",\"count\"}", &o.find.json)
      .Flag(0, "progress", "a progress line on stderr (default: if a terminal, for files of 256M+)", &o.progress);
  o.files.Declare(p);
}

absl::StatusOr<FindPlan> ValidateFind(const FindFlags& f) {
  FindPlan plan = f.plan;
  if (absl::Status s = plan.pattern.Validate("pattern-file", /*wildcards=*/true); !s.ok()) return s;
  if (f.mask) {
    absl::StatusOr<std::string> bits = ParseHex(*f.mask);
    if (!bits.ok()) return absl::InvalidArgumentError(absl::StrCat("--mask", bits.status().message().substr(5)));
    plan.mask = *bits;
  }
  if (f.first + f.last + f.count > 1) return absl::InvalidArgumentError("give at most one of --first, --last and --count");
  if (plan.find.context > 0 && (plan.find.json || f.count)) {
    return absl::InvalidArgumentError("--context shows matches: not with --json or --count");
  }
  absl::StatusOr<FindPlan> checked = WithFiles(plan, f.args);
  if (!checked.ok()) return checked.status();
  plan = *std::move(checked);
  plan.find.mode = f.first ? FindOptions::Mode::kFirst
                   : f.last ? FindOptions::Mode::kLast
                   : f.count ? FindOptions::Mode::kCount
                             : FindOptions::Mode::kAll;
  plan.find.overlap = !f.no_overlap;
  return plan;
}

absl::Status RunFind(const FindPlan& p, Streams s) {
  FindOptions o = p.find;
  absl::StatusOr<std::string> pattern = p.pattern.Load();
  if (!pattern.ok()) return pattern.status();
  if (pattern->empty()) return absl::InvalidArgumentError("empty pattern");
  o.pattern = *pattern;
  o.mask = p.pattern.mask;
  if (p.mask) {  // Its length is the pattern's, known once a --pattern-file is read.
    if (p.mask->size() != o.pattern.size()) {
      return absl::InvalidArgumentError(absl::StrCat("--mask has ", p.mask->size(), p.mask->size() == 1 ? " byte" : " bytes",
                                                     ", the pattern ", o.pattern.size()));
    }
    if (o.mask.empty()) o.mask.assign(p.mask->size(), '\xff');
    for (size_t i = 0; i < p.mask->size(); ++i) o.mask[i] = static_cast<char>(o.mask[i] & (*p.mask)[i]);
  }
  absl::StatusOr<std::vector<std::string>> files = p.files.Load("fmap find", s.err);
  if (!files.ok()) return files.status();
  o.progress = ProgressTo(p.progress);
  absl::StatusOr<bool> found = Find(o, *files, s.out);
  if (!found.ok()) return found.status();
  return cli::ExitWith(*found ? 0 : kExitNotFound);
}

}  // namespace ipckit::fmap
