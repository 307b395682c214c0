#include "tools/fmap/fmap.h"

#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/mmap/dump.h"
#include "lib/mmap/find.h"
#include "lib/mmap/mapped_file.h"

namespace ipckit::fmap {

absl::StatusOr<std::string> ParseHex(const std::string& text) {
  std::string digits;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '0' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
      ++i;  // A "0x" prefix.
      continue;
    }
    if (absl::ascii_isxdigit(c)) {
      digits.push_back(c);
    } else if (c != ' ' && c != ',' && c != ':' && c != '\n' && c != '\t') {
      return absl::InvalidArgumentError(absl::StrCat("--hex: invalid character '", std::string(1, c), "'"));
    }
  }
  if (digits.size() % 2 != 0) return absl::InvalidArgumentError("--hex: odd number of hex digits");
  if (digits.empty()) return absl::InvalidArgumentError("--hex: empty pattern");
  std::string out;
  for (size_t i = 0; i < digits.size(); i += 2) {
    auto v = [](char c) { return absl::ascii_isdigit(c) ? c - '0' : absl::ascii_tolower(c) - 'a' + 10; };
    out.push_back(static_cast<char>(v(digits[i]) * 16 + v(digits[i + 1])));
  }
  return out;
}

absl::Status Info(const std::vector<std::string>& files, bool json, std::ostream& out) {
  long page = ::sysconf(_SC_PAGESIZE);
  for (const std::string& f : files) {
    absl::StatusOr<MappedFile> m = MappedFile::Open(f);
    if (!m.ok()) return m.status();
    const char* type = m->streamed() ? "stream" : "file";
    if (json) {
      out << absl::StrFormat("{\"file\":\"%s\",\"size\":%d,\"type\":\"%s\",\"page_size\":%d}\n", f,
                             m->size(), type, page);
    } else {
      out << absl::StrFormat("%s: %d bytes, %s, page size %d\n", f, m->size(), type, page);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> Find(const FindOptions& o, const std::vector<std::string>& files,
                          std::ostream& out) {
  bool any = false;
  for (const std::string& f : files) {
    absl::StatusOr<MappedFile> m = MappedFile::Open(f);
    if (!m.ok()) return m.status();
    uint64_t count = 0, last = 0;
    ipckit::FindOptions fo;
    fo.overlap = o.overlap;
    std::string prefix = files.size() > 1 ? absl::StrCat(f, ":") : "";
    auto show = [&](uint64_t at) {
      return o.hex_offsets ? absl::StrFormat("%s0x%x\n", prefix, at) : absl::StrFormat("%s%d\n", prefix, at);
    };
    absl::Status s = ipckit::Find(*m, o.pattern, fo, [&](uint64_t at) {
      ++count;
      last = at;
      if (o.mode == FindOptions::Mode::kAll || o.mode == FindOptions::Mode::kFirst) out << show(at);
      return o.mode != FindOptions::Mode::kFirst;
    });
    if (!s.ok()) return s;
    if (o.mode == FindOptions::Mode::kLast && count > 0) out << show(last);
    if (o.mode == FindOptions::Mode::kCount) out << prefix << count << "\n";
    any = any || count > 0;
  }
  return any;
}

absl::Status Dump(const DumpOptions& o, const std::string& file, std::ostream& out) {
  absl::StatusOr<MappedFile> m = MappedFile::Open(file);
  if (!m.ok()) return m.status();
  uint64_t length = o.length.value_or(MappedFile::kUnbounded);
  if (o.format == "raw") {
    return m->ForEachChunk(o.skip, length, [&](uint64_t, absl::string_view d) {
      out.write(d.data(), static_cast<std::streamsize>(d.size()));
      return static_cast<bool>(out);
    });
  }
  HexDumper::Format format;
  if (o.format == "hexdump") {
    format = HexDumper::Format::kHexdump;
  } else if (o.format == "xxd") {
    format = HexDumper::Format::kXxd;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("--format: expected hexdump, xxd or raw, got '", o.format, "'"));
  }
  // hexdump -s past the end still reports where it stopped: the file's end.
  uint64_t start = o.skip;
  if (!m->streamed() && start > m->size()) start = m->size();
  std::string text;
  HexDumper d(format, start, &text);
  absl::Status s = m->ForEachChunk(o.skip, length, [&](uint64_t, absl::string_view data) {
    for (size_t i = 0; i < data.size(); i += 1 << 20) {
      d.Write(data.substr(i, 1 << 20));
      out << text;
      text.clear();
    }
    return static_cast<bool>(out);
  });
  if (!s.ok()) return s;
  d.Finish(/*offset_even_if_empty=*/!m->streamed() && o.skip > 0 && m->size() > 0 && length > 0);
  out << text;
  return absl::OkStatus();
}

}  // namespace ipckit::fmap
