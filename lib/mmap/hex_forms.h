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
#ifndef IPCKIT_LIB_MMAP_HEX_FORMS_H_
#define IPCKIT_LIB_MMAP_HEX_FORMS_H_

#include <stddef.h>
#include <stdint.h>

#include <string>

#include "absl/strings/string_view.h"

namespace ipckit::mmap {

// PlainHexWriter appends xxd -p's form to *out: lowercase hex, 60 digits a
// line, the last line shorter; nothing for no bytes.
class PlainHexWriter {
 public:
  explicit PlainHexWriter(std::string* out) : out_(out) {}
  void Write(absl::string_view data);
  void Finish();

 private:
  std::string* out_;
  size_t column_ = 0;  // Bytes on the current line.
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

}  // namespace ipckit::mmap

#endif  // IPCKIT_LIB_MMAP_HEX_FORMS_H_
