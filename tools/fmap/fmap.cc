#include "tools/fmap/fmap.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <future>
#include <optional>
#include <ostream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/io/unique_fd.h"
#include "lib/io/wait.h"
#include "lib/json/json_writer.h"
#include "lib/mmap/dump.h"
#include "lib/mmap/find.h"
#include "lib/mmap/hex_forms.h"
#include "lib/mmap/mapped_file.h"
#include "lib/mmap/mapping.h"
#include "lib/mmap/residency.h"
#include "lib/mmap/sigbus_guard.h"
#include "lib/mmap/undump.h"
#include "lib/process/daemon.h"
#include "lib/signal/signal_source.h"
#include "lib/cli/exit_code.h"
#include "tools/fmap/pages.h"
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
  mmap::HexDumper d(mmap::HexDumper::Format::kXxd, start, &text);
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
absl::Status DumpLines(const mmap::MappedFile& m, const DumpOptions& o, mmap::HexDumper::Format format,
                       uint64_t length, const std::string& file, std::ostream& out) {
  // hexdump -s past the end still reports where it stopped: the file's end.
  uint64_t start = o.skip;
  if (!m.streamed() && start > m.size()) start = m.size();
  std::string text;
  mmap::HexDumper d(format, start, &text, !o.no_squeeze);
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
    mmap::PlainHexWriter w(&text, o.layout ? o.layout->cols : 30, o.layout && o.layout->upper);
    return DumpText(*m, o.skip, length, w, text, out);
  }
  if (o.format == "include") {
    mmap::CIncludeWriter w(file == "-" ? "" : mmap::CIncludeName(file), &text);
    return DumpText(*m, o.skip, length, w, text, out);
  }
  if (o.format == "xxd" && o.layout) {
    mmap::XxdWriter w(*o.layout, o.skip, &text);
    return DumpText(*m, o.skip, length, w, text, out);
  }
  if (o.format == "hexdump") return DumpLines(*m, o, mmap::HexDumper::Format::kHexdump, length, file, out);
  if (o.format == "xxd") return DumpLines(*m, o, mmap::HexDumper::Format::kXxd, length, file, out);
  return absl::InvalidArgumentError(
      absl::StrCat("--format: expected hexdump, xxd, plain, include or raw, got '", o.format, "'"));
}

absl::Status Undump(const std::string& format, const std::string& file, std::ostream& out) {
  mmap::Undumper::Format f;
  if (format == "plain") {
    f = mmap::Undumper::Format::kPlain;
  } else if (format == "xxd") {
    f = mmap::Undumper::Format::kXxd;
  } else if (format == "hexdump") {
    f = mmap::Undumper::Format::kHexdump;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("--format: expected plain, xxd or hexdump, got '", format, "'"));
  }
  absl::StatusOr<mmap::MappedFile> m = mmap::MappedFile::Open(file);
  if (!m.ok()) return m.status();
  mmap::Undumper u(f, [&](absl::string_view bytes) {
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

namespace ipckit::fmap {
namespace {

absl::StatusOr<io::UniqueFd> OpenForWrite(const std::string& file) {
  io::UniqueFd fd(::open(file.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) return absl::ErrnoToStatus(errno, absl::StrCat("open ", file));
  return fd;
}

uint64_t FileSize(int fd) {
  struct stat st;
  return ::fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// Crc32c computes CRC-32C (Castagnoli), with SSE4.2's crc32 instruction
// where the CPU has it.
uint32_t Crc32cSoftware(uint32_t crc, absl::string_view d) {
  static uint32_t table[256] = {};
  static bool ready = false;
  if (!ready) {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      table[i] = c;
    }
    ready = true;
  }
  for (unsigned char b : d) crc = table[(crc ^ b) & 0xff] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t Crc32cHardware(uint32_t crc, absl::string_view d) {
  const char* p = d.data();
  size_t n = d.size();
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    c = __builtin_ia32_crc32di(c, w);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n-- > 0) c32 = __builtin_ia32_crc32qi(c32, static_cast<unsigned char>(*p++));
  return c32;
}
#endif

uint32_t Crc32cUpdate(uint32_t crc, absl::string_view d) {
#if defined(__x86_64__)
  static const bool hw = __builtin_cpu_supports("sse4.2");
  if (hw) return Crc32cHardware(crc, d);
#endif
  return Crc32cSoftware(crc, d);
}

}  // namespace

absl::Status Write(const WriteOptions& o, const std::string& file, std::ostream& out) {
  if (!o.write) return absl::InvalidArgumentError(absl::StrCat("refusing to modify ", file, " without --write"));
  if (o.data.empty()) return absl::InvalidArgumentError("nothing to write");
  absl::StatusOr<io::UniqueFd> fd = OpenForWrite(file);
  if (!fd.ok()) return fd.status();
  uint64_t size = FileSize(fd->get());
  uint64_t end = o.offset + o.data.size();
  if (end > size) {
    if (!o.extend) {
      return absl::InvalidArgumentError(absl::StrCat("writing ", o.data.size(), " bytes at ", o.offset,
                                                     " would extend ", file, " from ", size, " to ",
                                                     end, " bytes; add --extend"));
    }
    if (::ftruncate(fd->get(), static_cast<off_t>(end)) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("extend ", file));
    }
  }
  mmap::MapOptions mo;
  mo.writable = true;
  absl::StatusOr<mmap::Mapping> map = mmap::Mapping::Map(fd->get(), o.offset, o.data.size(), mo, file);
  if (!map.ok()) return map.status();
  absl::Status s;
  {
    // Another process may shrink the file between our size check and here.
    mmap::SigbusGuard guard(map->data(), map->size());
    memcpy(map->data(), o.data.data(), o.data.size());
    if (guard.faulted()) s = absl::DataLossError(absl::StrCat(file, ": file shrank while being written"));
  }
  if (s.ok() && o.sync) s = map->Sync();
  if (s.ok() && o.json) {
    out << json::JsonWriter()
               .BeginObject()
               .Key("file").String(file)
               .Key("offset").Uint(o.offset)
               .Key("bytes").Uint(o.data.size())
               .Key("extended").Bool(end > size)
               .Key("synced").Bool(o.sync)
               .EndObject()
               .str()
        << "\n";
  }
  return s;
}

absl::Status Resize(bool write, uint64_t size, const std::string& file, bool json, std::ostream& out) {
  if (!write) return absl::InvalidArgumentError(absl::StrCat("refusing to modify ", file, " without --write"));
  absl::StatusOr<io::UniqueFd> fd = OpenForWrite(file);
  if (!fd.ok()) return fd.status();
  uint64_t old_size = FileSize(fd->get());
  if (::ftruncate(fd->get(), static_cast<off_t>(size)) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("resize ", file));
  }
  if (json) {
    out << json::JsonWriter().BeginObject().Key("file").String(file).Key("old_size").Uint(old_size)
               .Key("size").Uint(size).EndObject().str() << "\n";
  }
  return absl::OkStatus();
}

absl::Status Sync(const std::string& file, bool json, std::ostream& out) {
  io::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return absl::ErrnoToStatus(errno, absl::StrCat("open ", file));
  if (::fdatasync(fd.get()) != 0) return absl::ErrnoToStatus(errno, absl::StrCat("sync ", file));
  if (json) out << json::JsonWriter().BeginObject().Key("file").String(file).Key("synced").Bool(true).EndObject().str() << "\n";
  return absl::OkStatus();
}

namespace {

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

// AdviseHugepage maps the whole file, marks the mapping MADV_HUGEPAGE and
// asks for MADV_COLLAPSE (Linux 6.1+), which backs the file's page cache
// with huge pages that outlive the mapping.
absl::Status AdviseHugepage(const std::string& file) {
  absl::Status cacheable = mmap::CheckCacheable(file);  // A FIFO would block open(2).
  if (!cacheable.ok()) return cacheable;
  io::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return absl::ErrnoToStatus(errno, absl::StrCat("open ", file));
  uint64_t size = FileSize(fd.get());
  if (size == 0) return absl::OkStatus();  // Nothing to back.
  absl::StatusOr<mmap::Mapping> map = mmap::Mapping::Map(fd.get(), 0, static_cast<size_t>(size), {}, file);
  if (!map.ok()) return map.status();
  absl::Status s = map->Advise(MADV_HUGEPAGE, absl::StrCat("advise ", file, ": hugepage (MADV_HUGEPAGE)"));
  if (!s.ok()) return s;
  s = map->Advise(MADV_COLLAPSE, "MADV_COLLAPSE");
  if (!s.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "advise ", file, ": hugepage: the kernel cannot back this file's page cache with huge pages (",
        s.message(), "; it needs Linux 6.1+ and tmpfs with huge= or CONFIG_READ_ONLY_THP_FOR_FS)"));
  }
  return absl::OkStatus();
}

// FadviseWholeFile gives posix_fadvise `advice` for all of `file`, after
// writing its dirty pages out when asked (DONTNEED drops only clean pages).
// An fadvise error reads "VERB FILE: <strerror>".
absl::Status FadviseWholeFile(const std::string& file, int advice, bool write_out_first, const char* verb,
                              const std::vector<mmap::PageRun>* pages = nullptr) {
  absl::Status cacheable = mmap::CheckCacheable(file);  // A FIFO would block open(2).
  if (!cacheable.ok()) return cacheable;
  io::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return absl::ErrnoToStatus(errno, absl::StrCat("open ", file));
  // EINVAL: a file with nothing to sync.
  if (write_out_first && ::fdatasync(fd.get()) != 0 && errno != EINVAL) {
    return absl::ErrnoToStatus(errno, absl::StrCat("sync ", file));
  }
  std::vector<ByteRange> ranges = {{0, 0}};  // posix_fadvise: length 0 is to the end.
  if (pages != nullptr) {
    const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    ranges.clear();
    for (const mmap::PageRun& r : *pages) ranges.push_back({r.first * page, r.count * page});
  }
  for (const ByteRange& r : ranges) {
    int rc = ::posix_fadvise(fd.get(), static_cast<off_t>(r.offset), static_cast<off_t>(r.length), advice);
    if (rc != 0) return absl::ErrnoToStatus(rc, absl::StrCat(verb, " ", file));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Advise(const std::string& advice, const std::string& file, bool json, std::ostream& out) {
  absl::Status s;
  if (advice == "hugepage") {
    s = AdviseHugepage(file);
  } else if (advice == "seq") {
    s = FadviseWholeFile(file, POSIX_FADV_SEQUENTIAL, /*write_out_first=*/false, "advise");
  } else if (advice == "random") {
    s = FadviseWholeFile(file, POSIX_FADV_RANDOM, /*write_out_first=*/false, "advise");
  } else if (advice == "willneed") {
    s = FadviseWholeFile(file, POSIX_FADV_WILLNEED, /*write_out_first=*/false, "advise");
  } else if (advice == "dontneed") {
    s = FadviseWholeFile(file, POSIX_FADV_DONTNEED, /*write_out_first=*/false, "advise");
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--advice: expected seq, random, willneed, dontneed or hugepage, got '", advice, "'"));
  }
  if (!s.ok()) return s;
  if (json) {
    out << json::JsonWriter().BeginObject().Key("file").String(file).Key("advice").String(advice).EndObject().str() << "\n";
  }
  return absl::OkStatus();
}

absl::Status Sum(const std::string& algo, uint64_t skip, std::optional<uint64_t> length, const ProgressSink& progress_out,
                 bool json, const std::string& file, std::ostream& out) {
  if (algo != "sha256" && algo != "crc32c") {
    return absl::InvalidArgumentError(absl::StrCat("--algo: expected sha256 or crc32c, got '", algo, "'"));
  }
  absl::StatusOr<mmap::MappedFile> m = mmap::MappedFile::Open(file);
  if (!m.ok()) return m.status();
  SHA256_CTX sha;
  SHA256_Init(&sha);
  uint32_t crc = 0xFFFFFFFFu;
  uint64_t summed = 0;
  absl::Status s;
  {
    Progress progress(progress_out, absl::StrCat("fmap sum ", file), m->size());
    s = m->ForEachChunk(skip, length.value_or(mmap::MappedFile::kUnbounded), [&](uint64_t off, absl::string_view d) {
      progress.Update(off + d.size());
      summed += d.size();
      if (algo == "sha256") {
        SHA256_Update(&sha, d.data(), d.size());
      } else {
        crc = Crc32cUpdate(crc, d);
      }
      return true;
    });
  }
  if (!s.ok()) return s;
  std::string digest;
  if (algo == "sha256") {
    uint8_t d[SHA256_DIGEST_LENGTH];
    SHA256_Final(d, &sha);
    digest = absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(d), sizeof(d)));
  } else {
    digest = absl::StrFormat("%08x", crc ^ 0xFFFFFFFFu);
  }
  if (json) {
    out << json::JsonWriter().BeginObject().Key("file").String(file).Key("algo").String(algo).Key("offset").Uint(skip)
               .Key("length").Uint(summed).Key("digest").String(digest).EndObject().str() << "\n";
  } else {
    out << digest << "  " << file << "\n";
  }
  return absl::OkStatus();
}

}  // namespace ipckit::fmap

namespace ipckit::fmap {
namespace {

// ReportResidencyAfter writes {"file","pages","resident"} for Touch and
// Evict, and adds it to `totals` when given.
absl::Status ReportResidencyAfter(const std::string& file, std::ostream& out, PageTotals* totals) {
  absl::StatusOr<mmap::Residency> r = mmap::GetResidency(file);
  if (!r.ok()) return r.status();
  if (totals != nullptr) totals->Add(*r);
  json::JsonWriter j;
  j.BeginObject().Key("file").String(file).Key("pages").Uint(r->pages).Key("resident");
  if (r->known) {
    j.Uint(r->resident);
  } else {
    j.Null();
  }
  out << j.EndObject().str() << "\n";
  return absl::OkStatus();
}

}  // namespace

namespace {

// Restrict limits `r` to the pages in `pages`: its page and resident counts,
// resident bytes and runs.
void Restrict(const std::vector<mmap::PageRun>& pages, mmap::Residency* r) {
  std::vector<mmap::PageRun> runs;
  uint64_t bytes = 0;
  for (const mmap::PageRun& want : pages) {
    for (const mmap::PageRun& have : r->runs) {
      uint64_t lo = std::max(want.first, have.first), hi = std::min(want.first + want.count, have.first + have.count);
      if (lo >= hi) continue;
      runs.push_back({lo, hi - lo});
      bytes += PageBytes(runs.back(), r->page_size, r->size).length;
    }
  }
  std::pair<uint64_t, uint64_t> counted = Count(pages, r->pages, r->runs);
  r->pages = counted.first;
  r->resident = counted.second;
  r->resident_bytes = bytes;
  r->runs = runs;
}

}  // namespace

absl::Status ResidencyReport(const std::vector<std::string>& files, const ResidencyReportOptions& o,
                             std::ostream& out) {
  mmap::ResidencyOptions ro;
  ro.runs = o.ranges || o.pages.has_value();
  uint64_t total_pages = 0, total_resident = 0, total_bytes = 0, total_size = 0;
  for (const std::string& f : files) {
    absl::StatusOr<mmap::Residency> r = mmap::GetResidency(f, ro);
    if (!r.ok()) return r.status();
    if (o.pages && r->known) Restrict(*o.pages, &*r);
    total_pages += r->pages;
    total_size += r->size;
    if (r->known) {
      total_resident += r->resident;
      total_bytes += r->resident_bytes;
    }
    // A run's bytes: whole pages, clipped to the end of the file.
    auto run_bytes = [&](const mmap::PageRun& run) {
      uint64_t off = run.first * r->page_size;
      return std::make_pair(off, std::min(r->size, (run.first + run.count) * r->page_size) - off);
    };
    if (o.json) {
      json::JsonWriter j;
      j.BeginObject().Key("file").String(f).Key("size").Uint(r->size).Key("pages").Uint(r->pages);
      if (r->known) {
        j.Key("resident").Uint(r->resident).Key("bytes").Uint(r->resident_bytes);
      } else {
        j.Key("resident").Null().Key("bytes").Null();
      }
      j.Key("method").String(r->method);
      if (o.ranges && r->known) {
        j.Key("ranges").BeginArray();
        for (const mmap::PageRun& run : r->runs) {
          auto [off, len] = run_bytes(run);
          j.BeginObject().Key("offset").Uint(off).Key("length").Uint(len).Key("first_page").Uint(run.first)
              .Key("pages").Uint(run.count).EndObject();
        }
        j.EndArray();
      }
      out << j.EndObject().str() << "\n";
      continue;
    }
    if (!r->known) {
      out << f << ": residency unknown (mincore cannot see the page cache of a file we may not write)\n";
      continue;
    }
    double pct = r->pages == 0 ? 0 : 100.0 * static_cast<double>(r->resident) / static_cast<double>(r->pages);
    out << absl::StrFormat("%s: %d of %d pages resident (%.1f%%), %d bytes\n", f, r->resident, r->pages, pct,
                           r->resident_bytes);
    for (const mmap::PageRun& run : o.ranges ? r->runs : std::vector<mmap::PageRun>()) {
      auto [off, len] = run_bytes(run);
      out << absl::StrFormat("  %d+%d (pages %d-%d)\n", off, len, run.first, run.first + run.count - 1);
    }
  }
  if (files.size() > 1) {  // The sum, as vmtouch's summary.
    double pct = total_pages == 0 ? 0 : 100.0 * static_cast<double>(total_resident) / static_cast<double>(total_pages);
    if (o.json) {
      out << json::JsonWriter().BeginObject().Key("total").Bool(true).Key("files").Uint(files.size())
                 .Key("size").Uint(total_size).Key("pages").Uint(total_pages).Key("resident").Uint(total_resident)
                 .Key("bytes").Uint(total_bytes).EndObject().str() << "\n";
    } else {
      out << absl::StrFormat("total: %d of %d pages resident (%.1f%%), %d bytes, %d files\n", total_resident,
                             total_pages, pct, total_bytes, files.size());
    }
  }
  return absl::OkStatus();
}

absl::Status Touch(const std::string& file, bool json, const ProgressSink& progress_out, std::ostream& out,
                   const std::vector<mmap::PageRun>* pages, PageTotals* totals) {
  absl::Status cacheable = mmap::CheckCacheable(file);  // A FIFO would block open(2).
  if (!cacheable.ok()) return cacheable;
  absl::StatusOr<mmap::MappedFile> m = mmap::MappedFile::Open(file);
  if (!m.ok()) return m.status();
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<ByteRange> ranges = {{0, mmap::MappedFile::kUnbounded}};
  if (pages != nullptr) {
    ranges.clear();
    for (const mmap::PageRun& r : *pages) ranges.push_back(PageBytes(r, page, m->size()));
  }
  volatile unsigned char sink = 0;
  absl::Status s;
  {
    Progress progress(progress_out, absl::StrCat("fmap touch ", file), m->size());
    for (const ByteRange& r : ranges) {
      if (r.length == 0 || !s.ok()) continue;
      s = m->ForEachChunk(r.offset, r.length, [&](uint64_t off, absl::string_view d) {
        for (size_t i = 0; i < d.size(); i += page) sink = sink + static_cast<unsigned char>(d[i]);
        progress.Update(off + d.size());
        return true;
      });
    }
  }
  if (!s.ok() || !json) return s;
  return ReportResidencyAfter(file, out, totals);
}

absl::Status Evict(const std::string& file, bool json, std::ostream& out, const std::vector<mmap::PageRun>* pages,
                   PageTotals* totals) {
  // A file just written would otherwise stay cached.
  absl::Status s = FadviseWholeFile(file, POSIX_FADV_DONTNEED, /*write_out_first=*/true, "evict", pages);
  if (!s.ok() || !json) return s;
  return ReportResidencyAfter(file, out, totals);
}

}  // namespace ipckit::fmap

namespace ipckit::fmap {

namespace {

// LockAll maps and locks `files` into `held` and writes the report.
absl::Status LockAll(const std::vector<std::string>& files, bool json,
                     const std::optional<std::vector<mmap::PageRun>>& pages, std::vector<mmap::Mapping>* held,
                     std::ostream& out, std::ostream& log);

}  // namespace

absl::Status Lock(const std::vector<std::string>& files, const LockOptions& o, std::ostream& out, std::ostream& log) {
  std::optional<process::Daemon> daemon;
  if (o.daemon) {
    absl::StatusOr<process::Daemon> d = process::Daemon::Start();
    if (!d.ok()) return d.status();
    if (d->is_parent()) return d->child_status();
    daemon.emplace(*std::move(d));
  }
  // The signals that end the hold arrive on a signalfd.
  absl::StatusOr<signal::SignalSource> sigs = signal::SignalSource::Create({SIGINT, SIGTERM, SIGHUP});
  std::vector<mmap::Mapping> held;
  absl::Status s = sigs.ok() ? LockAll(files, o.json, o.pages, &held, out, log) : sigs.status();
  if (daemon) {
    if (s.ok()) s = daemon->Ready(o.pid_file);
    if (!s.ok()) {
      daemon->Fail(s);
      return cli::Reported(s);  // The parent says it.
    }
  }
  if (!s.ok()) return s;
  for (;;) {  // Until one of them comes; the mappings unlock as they go.
    absl::StatusOr<bool> ready = io::WaitUntil(sigs->fd(), POLLIN, absl::InfiniteFuture(), "signals");
    if (!ready.ok()) return ready.status();
    absl::StatusOr<std::vector<signal::SignalInfo>> got = sigs->Read();
    if (!got.ok()) return got.status();
    if (!got->empty()) return absl::OkStatus();
  }
}

namespace {

absl::Status LockAll(const std::vector<std::string>& files, bool json,
                     const std::optional<std::vector<mmap::PageRun>>& pages, std::vector<mmap::Mapping>* held,
                     std::ostream& out, std::ostream& log) {
  uint64_t total = 0;
  for (const std::string& file : files) {
    absl::Status cacheable = mmap::CheckCacheable(file);  // A FIFO would block open(2).
    if (!cacheable.ok()) return cacheable;
    absl::StatusOr<mmap::MappedFile> m = mmap::MappedFile::Open(file);
    if (!m.ok()) return m.status();
    if (m->streamed()) return absl::FailedPreconditionError(absl::StrCat(file, ": not a regular file"));
    if (m->size() == 0) {
      if (files.size() == 1) return absl::InvalidArgumentError(absl::StrCat(file, ": empty file, nothing to lock"));
      continue;  // In a tree, an empty file has nothing to lock.
    }
    std::vector<ByteRange> ranges = {{0, m->size()}};
    if (pages) {
      const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
      ranges.clear();
      for (const mmap::PageRun& r : *pages) ranges.push_back(PageBytes(r, page, m->size()));
    }
    uint64_t len = 0;
    for (const ByteRange& r : ranges) {
      if (r.length == 0) continue;
      // MAP_POPULATE reads the pages in now (mlock would too, but the
      // sanitizers make mlock a no-op).
      mmap::MapOptions mo;
      mo.populate = true;
      absl::StatusOr<mmap::Mapping> map = mmap::Mapping::Map(m->fd(), r.offset, static_cast<size_t>(r.length), mo, file);
      if (!map.ok()) return map.status();
      absl::Status s = map->Lock();
      if (!s.ok()) return s;
      held->push_back(*std::move(map));
      len += r.length;
    }
    total += len;
    if (json) {
      out << json::JsonWriter().BeginObject().Key("file").String(file).Key("bytes").Uint(len).Key("locked").Bool(true)
                 .EndObject().str() << std::endl;
    }
  }
  if (!json) {
    log << "locked " << (files.size() == 1 ? files[0] : absl::StrCat(held->size(), " files")) << ": " << total
        << " bytes; holding until SIGINT or SIGTERM" << std::endl;
  }
  return absl::OkStatus();
}

}  // namespace

}  // namespace ipckit::fmap
