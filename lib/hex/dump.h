// dump.h formats bytes as `hexdump -C` and `xxd` do, byte for byte: feed it
// consecutive chunks with Write, then call Finish.
//
// Example:
//
//   HexDumper d(HexDumper::Format::kHexdump, /*start=*/0, &out);
//   d.Write("Hello\n");
//   d.Finish();  // "00000000  48 65 6c 6c 6f 0a   ...  |Hello.|\n00000006\n"
//
// Threads: a HexDumper is used by one thread at a time; separate dumpers are
// independent.
#ifndef IPCKIT_LIB_HEX_DUMP_H_
#define IPCKIT_LIB_HEX_DUMP_H_

#include <stdint.h>

#include <string>

#include "absl/strings/string_view.h"

namespace ipckit::hex {

class HexDumper {
 public:
  enum class Format {
    kHexdump,  // hexdump -C: squeezes repeated lines to "*", ends with the offset.
    kXxd,      // xxd: "00000000: 4865 6c6c ...  Hello", no squeezing.
  };

  // HexDumper appends lines to *out; `start` is the offset of the first
  // byte. Without `squeeze` (hexdump -v) repeated lines are all written.
  HexDumper(Format format, uint64_t start, std::string* out, bool squeeze = true)
      : format_(format), offset_(start), out_(out), squeeze_(squeeze) {}

  // Write formats `data`; complete 16-byte lines are appended at once.
  void Write(absl::string_view data);

  // Finish formats the last, partial line and (hexdump) the final offset,
  // which hexdump prints after any data, and with no data only when it
  // skipped to the end of a non-empty file (`offset_even_if_empty`).
  void Finish(bool offset_even_if_empty = false);

 private:
  // FullLines formats `data`, whole 16-byte lines, squeezing (hexdump).
  void FullLines(absl::string_view data);
  // FormatLine writes the line of up to 16 bytes at offset_ to `p` (room
  // for a whole line) and returns its end.
  char* FormatLine(char* p, absl::string_view line) const;

  Format format_;
  uint64_t offset_;  // Offset of line_[0].
  std::string* out_;
  std::string line_;      // Bytes of the line being collected.
  std::string previous_;  // The last full line written, for squeezing.
  bool squeeze_;
  bool squeezing_ = false;
  bool any_ = false;
};

}  // namespace ipckit::hex

#endif  // IPCKIT_LIB_HEX_DUMP_H_
