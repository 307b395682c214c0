// hex_forms.h writes the other hex forms of xxd, byte for byte: -p (plain
// hex, 30 bytes a line) and -i (a C include). Feed consecutive chunks with
// Write, then call Finish; HexDumper (dump.h) writes the two dump layouts.
//
// Example:
//
//   std::string out;
//   CIncludeWriter w(CIncludeName("data.bin"), &out);
//   w.Write("ab");
//   w.Finish();  // "unsigned char data_bin[] = {\n  0x61, 0x62\n};\nunsigned int data_bin_len = 2;\n"
//
// Threads: each writer is used by one thread at a time; EffectiveGroup and
// CIncludeName are pure.
#ifndef IPCKIT_LIB_HEX_HEX_FORMS_H_
#define IPCKIT_LIB_HEX_HEX_FORMS_H_

#include <stddef.h>
#include <stdint.h>

#include <string>

#include "absl/strings/string_view.h"

namespace ipckit::hex {

// PlainHexWriter appends xxd -p's form to *out: lowercase hex (upper with
// `upper`, xxd -u), `cols` bytes (xxd -c, default 30) a line, the last line
// shorter; nothing for no bytes.
class PlainHexWriter {
 public:
  explicit PlainHexWriter(std::string* out, int cols = 30, bool upper = false)
      : out_(out), cols_(cols), hex_(upper ? "0123456789ABCDEF" : "0123456789abcdef") {}
  void Write(absl::string_view data);
  void Finish();

 private:
  std::string* out_;
  int cols_;
  const char* hex_;
  int column_ = 0;  // Bytes on the current line.
};

// XxdLayout is how xxd lays a line out: -c bytes a line, -g bytes a group
// (0: one group), -u upper case, -e little-endian groups (a power of two,
// default 4), -b bits (default 6 a line, 1 a group).
struct XxdLayout {
  int cols = 16;
  int group = 2;
  bool upper = false;
  bool little_endian = false;
  bool bits = false;
};

// EffectiveGroup returns the bytes a group that xxd uses for `layout`: the
// whole line where -g is 0 or wider than -c (xxd -c 1 -g 16 is -g 1).
int EffectiveGroup(const XxdLayout& layout);

// XxdWriter appends xxd's dump of the bytes it is given, laid out as
// `layout` says, byte for byte as xxd's; `start` is the first byte's
// offset (xxd -s). HexDumper is the faster path for xxd's default layout.
class XxdWriter {
 public:
  XxdWriter(const XxdLayout& layout, uint64_t start, std::string* out);
  void Write(absl::string_view data);
  void Finish();

 private:
  void Byte(unsigned char b);
  void EndLine();

  XxdLayout l_;
  int per_group_;     // Bytes a group.
  int group_width_;   // Characters a group, with its space.
  uint64_t offset_;   // Of the line being built.
  std::string* out_;
  std::string line_;  // The line being built, all columns.
  int count_ = 0;     // Bytes on it.
  size_t addr_ = 0;   // Width of "OFFSET:".
};

// CIncludeName returns the C name xxd -i gives a file: each character that
// is not a letter or digit becomes '_', and a leading digit gets "__".
std::string CIncludeName(absl::string_view path);

// CIncludeWriter appends xxd -i's form to *out: "unsigned char NAME[] = {",
// twelve "0x.." a line, "};" and "unsigned int NAME_len = N;". With an empty
// name (stdin) only the byte lines, as xxd -i < file.
class CIncludeWriter {
 public:
  CIncludeWriter(std::string name, std::string* out) : name_(std::move(name)), out_(out) {}
  void Write(absl::string_view data);
  void Finish();

 private:
  std::string name_;
  std::string* out_;
  uint64_t count_ = 0;
  bool started_ = false;
};

}  // namespace ipckit::hex

#endif  // IPCKIT_LIB_HEX_HEX_FORMS_H_
