// dump_fuzzer: fmap dump's writers (lib/hex/dump.h, hex_forms.h) driven by
// fuzzed options and bytes: every -c (1..256), -g (0..256), -u, -e, -b, a
// start offset (-s) and -v that the command line accepts, the bytes fed in
// fuzzed pieces. Checked besides memory safety:
//   - each writer gives the same text fed in pieces as fed whole;
//   - xxd's default layout is the same from HexDumper's fast path and from
//     XxdWriter;
//   - undump(dump(x)) == x for every layout undump reads: hexdump -C (with
//     and without '*'), xxd without -e and -b (any -c, -g, -u) and xxd -p,
//     preceded by the start offset's zeros where undump fills them.
#include <stddef.h>
#include <stdint.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "lib/hex/dump.h"
#include "lib/hex/hex_forms.h"
#include "lib/hex/undump.h"

namespace {

using ipckit::hex::CIncludeWriter;
using ipckit::hex::HexDumper;
using ipckit::hex::PlainHexWriter;
using ipckit::hex::Undumper;
using ipckit::hex::XxdLayout;
using ipckit::hex::XxdWriter;

// Pieces feeds `data` to `write` in pieces of `piece` bytes (0: whole).
template <typename Fn>
void Pieces(absl::string_view data, size_t piece, Fn write) {
  if (piece == 0) piece = data.size() + 1;
  for (size_t i = 0; i < data.size(); i += piece) write(data.substr(i, piece));
}

std::string Xxd(const XxdLayout& l, uint64_t start, absl::string_view data, size_t piece) {
  std::string out;
  XxdWriter w(l, start, &out);
  Pieces(data, piece, [&](absl::string_view p) { w.Write(p); });
  w.Finish();
  return out;
}

std::string Hex(HexDumper::Format f, uint64_t start, bool squeeze, absl::string_view data, size_t piece) {
  std::string out;
  HexDumper d(f, start, &out, squeeze);
  Pieces(data, piece, [&](absl::string_view p) { d.Write(p); });
  d.Finish();
  return out;
}

std::string Plain(int cols, bool upper, absl::string_view data, size_t piece) {
  std::string out;
  PlainHexWriter w(&out, cols, upper);
  Pieces(data, piece, [&](absl::string_view p) { w.Write(p); });
  w.Finish();
  return out;
}

std::string Include(absl::string_view data, size_t piece) {
  std::string out;
  CIncludeWriter w("f", &out);
  Pieces(data, piece, [&](absl::string_view p) { w.Write(p); });
  w.Finish();
  return out;
}

// Undump returns the bytes `text` describes in `format`; it traps on an
// error, since the text came from our own writer.
std::string Undump(Undumper::Format format, absl::string_view text) {
  std::string bytes;
  Undumper u(format, [&](absl::string_view b) {
    bytes.append(b.data(), b.size());
    return absl::OkStatus();
  });
  if (!u.Write(text).ok() || !u.Finish().ok()) __builtin_trap();
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  XxdLayout l;
  l.cols = 1 + data[0];                       // -c 1..256
  l.group = data[1];                          // -g 0..255
  l.upper = data[2] & 1;                      // -u
  l.bits = data[2] & 2;                       // -b
  l.little_endian = !l.bits && (data[2] & 4);  // -e (not with -b)
  bool squeeze = !(data[2] & 8);              // not -v
  if (l.little_endian && l.group >= 1 && l.group <= l.cols && (l.group & (l.group - 1)) != 0) {
    l.group = 1 << (data[1] % 8);  // fmap dump refuses others, as xxd does.
  }
  // -s: small starts are read back; any start is formatted.
  uint64_t start = data[3] & 0x80 ? uint64_t{data[4]} << 56 | uint64_t{data[5]} << 8 | data[6] : data[4] * 16u + data[5];
  size_t piece = data[7];
  absl::string_view bytes(reinterpret_cast<const char*>(data) + 8, size - 8);
  // No bytes, no lines: nothing says where they would have started.
  bool read_back = start < 4096 && !bytes.empty();
  std::string zeros(read_back ? start : 0, '\0');

  std::string xxd = Xxd(l, start, bytes, 0);
  if (Xxd(l, start, bytes, piece) != xxd) __builtin_trap();
  if (!l.bits && !l.little_endian && read_back && Undump(Undumper::Format::kXxd, xxd) != zeros + std::string(bytes)) {
    __builtin_trap();
  }
  XxdLayout plain_layout;  // xxd's default: the fast path must agree.
  std::string fast = Hex(HexDumper::Format::kXxd, start, true, bytes, piece);
  if (fast != Xxd(plain_layout, start, bytes, 0)) __builtin_trap();

  std::string hexdump = Hex(HexDumper::Format::kHexdump, start, squeeze, bytes, 0);
  if (Hex(HexDumper::Format::kHexdump, start, squeeze, bytes, piece) != hexdump) __builtin_trap();
  if (read_back && Undump(Undumper::Format::kHexdump, hexdump) != zeros + std::string(bytes)) __builtin_trap();

  std::string plain = Plain(l.cols, l.upper, bytes, 0);
  if (Plain(l.cols, l.upper, bytes, piece) != plain) __builtin_trap();
  if (Undump(Undumper::Format::kPlain, plain) != bytes) __builtin_trap();

  if (Include(bytes, piece) != Include(bytes, 0)) __builtin_trap();
  return 0;
}
