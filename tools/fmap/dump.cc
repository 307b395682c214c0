// dump.cc: fmap dump (xxd's and hexdump's layouts, JSON) and undump.
#include "tools/fmap/fmap.h"
#include "tools/fmap/commands.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <future>
#include <ostream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/cli/values.h"
#include "lib/json/json_writer.h"
#include "lib/hex/dump.h"
#include "lib/hex/hex_forms.h"
#include "lib/mmap/mapped_file.h"
#include "lib/hex/undump.h"
#include "tools/fmap/progress.h"


namespace ipckit::fmap {
namespace {

// OverlappedOutput writes text to a stream on another thread while the
// caller formats the next piece: a dump costs about as much to write (the
// kernel's copy) as to format. One write is in flight at a time.
class OverlappedOutput {
 public:
  explicit OverlappedOutput(std::ostream& out) : out_(out) {}
  OverlappedOutput(const OverlappedOutput&) = delete;
  OverlappedOutput& operator=(const OverlappedOutput&) = delete;
  ~OverlappedOutput() { Wait(); }

  // Put waits for the previous write, then starts writing *text (leaving it
  // empty); it returns false, writing nothing, once the stream has failed.
  bool Put(std::string* text) {
    if (!Wait()) return false;
    writing_.swap(*text);
    text->clear();
    pending_ = std::async(std::launch::async, [this] {
      out_ << writing_;
      if (!out_) error_ = errno;  // errno is the writing thread's own.
    });
    return true;
  }

  // Wait waits for the write in flight and returns whether the stream is good.
  bool Wait() {
    if (pending_.valid()) pending_.get();
    return static_cast<bool>(out_);
  }

  // error returns the errno of the write that failed (after Wait), or 0.
  int error() const { return error_; }

 private:
  std::ostream& out_;
  int error_ = 0;
  std::string writing_;
  std::future<void> pending_;
};

}  // namespace

namespace {

// DumpText writes [skip, skip+length) of `m` in a form of `Writer`
// (PlainHexWriter, CIncludeWriter) to `out`.
template <typename Writer>
absl::Status DumpText(const mmap::MappedFile& m, uint64_t skip, uint64_t length, Writer& w, std::string& text,
                      std::ostream& out) {
  absl::Status s = m.ForEachChunk(skip, length, [&](uint64_t, absl::string_view d) {
    for (size_t i = 0; i < d.size(); i += 1 << 20) {
      w.Write(d.substr(i, 1 << 20));
      out << text;
      text.clear();
    }
    return static_cast<bool>(out);
  });
  if (!s.ok()) return s;
  w.Finish();
  out << text;
  return absl::OkStatus();
}

// FromEnd returns `o` with -s -N and -n -N turned into offsets from the
// start, which needs `m`'s size. A -s -N before the start is kOutOfRange
// "-s -4: before the start of F (1 byte)", as xxd refuses it ("cannot seek").
absl::StatusOr<DumpOptions> FromEnd(DumpOptions o, const mmap::MappedFile& m) {
  if (!o.skip_from_end && !o.length_from_end) return o;
  if (m.streamed()) return absl::InvalidArgumentError("-s -N and -n -N need a file whose size is known");
  if (o.skip_from_end && o.skip > m.size()) {
    return absl::OutOfRangeError(absl::StrCat("-s -", o.skip, ": before the start of ", m.path(), " (", m.size(),
                                              m.size() == 1 ? " byte)" : " bytes)"));
  }
  if (o.skip_from_end) o.skip = m.size() - std::min(o.skip, m.size());
  if (o.length_from_end) {
    uint64_t left = m.size() - std::min(o.skip, m.size());
    o.length = left - std::min(*o.length, left);
  }
  return o;
}

// DumpJson writes {"file":F,"offset":N,"hex":"...","length":N}, the hex
// streamed.
absl::Status DumpJson(const mmap::MappedFile& m, const std::string& file, uint64_t skip, uint64_t length,
                      std::ostream& out) {
  json::JsonWriter j;
  j.BeginObject().Key("file").String(file).Key("offset").Uint(skip).Key("hex").BeginString();
  uint64_t n = 0;
  absl::Status s = m.ForEachChunk(skip, length, [&](uint64_t, absl::string_view d) {
    for (size_t i = 0; i < d.size(); i += 1 << 20) j.AppendString(absl::BytesToHexString(d.substr(i, 1 << 20))).FlushTo(out);
    n += d.size();
    return static_cast<bool>(out);
  });
  j.EndString().Key("length").Uint(n).EndObject().FlushTo(out);
  out << "\n";
  return s;
}

// DumpLines writes hexdump -C's or xxd's default layout through HexDumper,
// the fast path: formatting overlaps writing (OverlappedOutput).
absl::Status DumpLines(const mmap::MappedFile& m, const DumpOptions& o, hex::HexDumper::Format format,
                       uint64_t length, const std::string& file, std::ostream& out) {
  // hexdump -s past the end still reports where it stopped: the file's end.
  uint64_t start = o.skip;
  if (!m.streamed() && start > m.size()) start = m.size();
  std::string text;
  hex::HexDumper d(format, start, &text, !o.no_squeeze);
  Progress progress(o.progress, absl::StrCat("fmap dump ", file),
                    m.streamed() ? 0 : std::min(length, m.size() - std::min(o.skip, m.size())));
  OverlappedOutput writer(out);
  uint64_t done = 0;
  absl::Status s = m.ForEachChunk(o.skip, length, [&](uint64_t, absl::string_view data) {
    for (size_t i = 0; i < data.size(); i += 1 << 20) {
      absl::string_view piece = data.substr(i, 1 << 20);
      d.Write(piece);
      if (!writer.Put(&text)) return false;
      progress.Update(done += piece.size());
    }
    return true;
  });
  writer.Wait();
  if (writer.error() != 0) return absl::ErrnoToStatus(writer.error(), "write stdout");
  if (!s.ok()) return s;
  d.Finish(/*offset_even_if_empty=*/!m.streamed() && o.skip > 0 && m.size() > 0 && length > 0);
  out << text;
  return absl::OkStatus();
}

}  // namespace

absl::Status Dump(const DumpOptions& options, const std::string& file, std::ostream& out) {
  absl::StatusOr<mmap::MappedFile> m = mmap::MappedFile::Open(file);
  if (!m.ok()) return m.status();
  absl::StatusOr<DumpOptions> resolved = FromEnd(options, *m);
  if (!resolved.ok()) return resolved.status();
  const DumpOptions& o = *resolved;
  uint64_t length = o.length.value_or(mmap::MappedFile::kUnbounded);
  if (o.json) return DumpJson(*m, file, o.skip, length, out);
  if (o.format == "raw") {
    return m->ForEachChunk(o.skip, length, [&](uint64_t, absl::string_view d) {
      out.write(d.data(), static_cast<std::streamsize>(d.size()));
      return static_cast<bool>(out);
    });
  }
  std::string text;
  if (o.format == "plain") {
    hex::PlainHexWriter w(&text, o.layout ? o.layout->cols : 30, o.layout && o.layout->upper);
    return DumpText(*m, o.skip, length, w, text, out);
  }
  if (o.format == "include") {
    hex::CIncludeWriter w(file == "-" ? "" : hex::CIncludeName(file), &text);
    return DumpText(*m, o.skip, length, w, text, out);
  }
  if (o.format == "xxd" && o.layout) {
    hex::XxdWriter w(*o.layout, o.skip, &text);
    return DumpText(*m, o.skip, length, w, text, out);
  }
  if (o.format == "hexdump") return DumpLines(*m, o, hex::HexDumper::Format::kHexdump, length, file, out);
  if (o.format == "xxd") return DumpLines(*m, o, hex::HexDumper::Format::kXxd, length, file, out);
  return absl::InvalidArgumentError(
      absl::StrCat("--format: expected hexdump, xxd, plain, include or raw, got '", o.format, "'"));
}

absl::Status Undump(const std::string& format, const std::string& file, std::ostream& out) {
  hex::Undumper::Format f;
  if (format == "plain") {
    f = hex::Undumper::Format::kPlain;
  } else if (format == "xxd") {
    f = hex::Undumper::Format::kXxd;
  } else if (format == "hexdump") {
    f = hex::Undumper::Format::kHexdump;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("--format: expected plain, xxd or hexdump, got '", format, "'"));
  }
  absl::StatusOr<mmap::MappedFile> m = mmap::MappedFile::Open(file);
  if (!m.ok()) return m.status();
  hex::Undumper u(f, [&](absl::string_view bytes) {
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return out ? absl::OkStatus() : absl::ErrnoToStatus(errno != 0 ? errno : EIO, "write stdout");
  });
  absl::Status error;
  absl::Status s = m->ForEachChunk(0, mmap::MappedFile::kUnbounded, [&](uint64_t, absl::string_view d) {
    error = u.Write(d);
    return error.ok();
  });
  if (!error.ok()) return absl::DataLossError(absl::StrCat(file, ": ", error.message()));
  if (!s.ok()) return s;
  error = u.Finish();
  if (!error.ok()) return absl::DataLossError(absl::StrCat(file, ": ", error.message()));
  return absl::OkStatus();
}

void DeclareDump(cli::Parser& p, DumpFlags* f) {
  DumpOptions& o = f->plan.dump;
  p.String('s', "skip", "OFF", "start at byte OFF (-OFF: OFF bytes before the end)", &f->skip)
      .String('n', "length", "LEN", "dump at most LEN bytes (-LEN: all but the last LEN)", &f->length)
      .String('f', "format", "FORMAT", "hexdump (default), xxd, plain (xxd -p), include (xxd -i) or raw", &o.format)
      .Int('c', "cols", "N", "xxd, plain: bytes a line (xxd -c; default 16, 30 plain, 6 with -b)", &f->cols, 1, 256)
      .Int('g', "group", "N", "xxd: bytes a group (xxd -g; default 2, 4 with -e, 1 with -b; 0 one group)", &f->group, 0, 256)
      .Flag('u', "upper", "xxd, plain: upper-case hex (xxd -u)", &f->upper)
      .Flag('e', "little-endian", "xxd: each group's bytes reversed (xxd -e)", &f->little_endian)
      .Flag('b', "bits", "xxd: bits instead of hex (xxd -b)", &f->bits)
      .Flag('v', "no-squeeze", "hexdump: write repeated lines out instead of '*' (hexdump -v)", &o.no_squeeze)
      .Flag(0, "json", "{\"file\",\"offset\",\"hex\",\"length\"} instead", &o.json)
      .Flag(0, "progress", "a progress line on stderr (default: if a terminal and stdout is not)", &f->plan.progress);
}

namespace {

// SignedSize parses "64K" or "-16" (from the end) for dump's -s and -n.
absl::Status SignedSize(const std::optional<std::string>& text, const char* flag, uint64_t* value, bool* from_end) {
  if (!text) return absl::OkStatus();
  absl::string_view v = *text;
  *from_end = absl::ConsumePrefix(&v, "-");
  absl::StatusOr<uint64_t> n = cli::ParseSize(v);
  if (!n.ok()) return absl::InvalidArgumentError(absl::StrCat(flag, ": ", n.status().message()));
  *value = *n;
  return absl::OkStatus();
}

// XxdLayoutOf checks dump's -c -g -u -e -b against the format and returns
// xxd's layout (nullopt when none was given).
absl::StatusOr<std::optional<hex::XxdLayout>> XxdLayoutOf(const DumpFlags& f) {
  if (!f.cols && !f.group && !f.upper && !f.little_endian && !f.bits) return std::optional<hex::XxdLayout>();
  const std::string& format = f.plan.dump.format;
  if (format != "xxd" && format != "plain") {
    return absl::InvalidArgumentError("-c, -g, -u, -e and -b are for --format=xxd (and -c, -u plain)");
  }
  if (f.little_endian && f.bits) return absl::InvalidArgumentError("-e and -b conflict");
  hex::XxdLayout l;
  l.bits = f.bits;
  l.little_endian = f.little_endian;
  l.upper = f.upper;
  l.cols = f.cols.value_or(f.bits ? 6 : format == "plain" ? 30 : 16);
  l.group = f.group.value_or(f.bits ? 1 : f.little_endian ? 4 : 2);
  // As xxd, only a group that fits the line must be a power of 2 (a wider
  // one, or 0, is cut to the line: -e -c 3 -g 8 is -g 3).
  if (f.little_endian && l.group >= 1 && l.group <= l.cols && (l.group & (l.group - 1)) != 0) {
    return absl::InvalidArgumentError("-g: with -e, a power of 2");
  }
  return std::optional<hex::XxdLayout>(l);
}

// Written returns `s`, or the error writing stdout when `out` failed.
absl::Status Written(absl::Status s, std::ostream& out) {
  out.flush();
  if (s.ok() && !out) s = absl::ErrnoToStatus(errno != 0 ? errno : EIO, "write stdout");
  return s;
}

}  // namespace

absl::StatusOr<DumpPlan> ValidateDump(const DumpFlags& f) {
  DumpPlan plan = f.plan;
  if (f.args.size() != 1) return absl::InvalidArgumentError("expected one FILE");
  plan.file = f.args[0];
  uint64_t n = 0;
  absl::Status s = SignedSize(f.skip, "-s", &plan.dump.skip, &plan.dump.skip_from_end);
  if (s.ok()) s = SignedSize(f.length, "-n", &n, &plan.dump.length_from_end);
  if (!s.ok()) return s;
  if (f.length) plan.dump.length = n;
  absl::StatusOr<std::optional<hex::XxdLayout>> layout = XxdLayoutOf(f);
  if (!layout.ok()) return layout.status();
  plan.dump.layout = *layout;
  return plan;
}

absl::Status RunDump(const DumpPlan& p, Streams s) {
  DumpOptions o = p.dump;
  o.progress = ProgressTo(p.progress);
  return Written(Dump(o, p.file, s.out), s.out);
}

void DeclareUndump(cli::Parser& p, UndumpFlags* f) {
  p.String('f', "format", "FORMAT", "plain (default), xxd or hexdump", &f->plan.format);
}

absl::StatusOr<UndumpPlan> ValidateUndump(const UndumpFlags& f) {
  UndumpPlan plan = f.plan;
  if (f.args.size() > 1) return absl::InvalidArgumentError("expected at most one FILE");
  if (!f.args.empty()) plan.file = f.args[0];
  return plan;
}

absl::Status RunUndump(const UndumpPlan& p, Streams s) { return Written(Undump(p.format, p.file, s.out), s.out); }

}  // namespace ipckit::fmap
