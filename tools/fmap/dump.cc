// dump.cc: fmap dump (xxd's and hexdump's layouts, JSON) and undump.
#include "tools/fmap/fmap.h"

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

}  // namespace ipckit::fmap
