// undump.h reads hex dumps back into bytes: xxd -p's plain hex, xxd's
// layout (as xxd -r) and hexdump -C's (its "*" lines repeat the line before
// up to the next offset). Feed text in any pieces with Write, then Finish.
//
// Example:
//
//   std::string bytes;
//   Undumper u(Undumper::Format::kXxd, [&](absl::string_view b) { bytes.append(b); return absl::OkStatus(); });
//   absl::Status s = u.Write("00000000: 4865 6c6c 6f0a                           Hello.\n");
//   if (s.ok()) s = u.Finish();  // bytes == "Hello\n"
//
// Threads: an Undumper is used by one thread at a time.
#ifndef IPCKIT_LIB_HEX_UNDUMP_H_
#define IPCKIT_LIB_HEX_UNDUMP_H_

#include <stddef.h>
#include <stdint.h>

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ipckit::hex {

class Undumper {
 public:
  enum class Format { kPlain, kXxd, kHexdump };

  // Sink takes the bytes as they are decoded, in pieces of at most 64 KiB
  // (a squeezed run of any length is never held whole); its error stops
  // the undump.
  using Sink = std::function<absl::Status(absl::string_view bytes)>;

  // Undumper hands the bytes to `sink`. A line whose offset is past the
  // bytes so far is reached with zero bytes, as xxd -r does on a stream.
  Undumper(Format format, Sink sink) : format_(format), sink_(std::move(sink)) {}

  // size is how many bytes have been decoded.
  uint64_t size() const { return size_; }

  // Write decodes the complete lines in `text` and keeps the rest; it
  // returns kInvalidArgument naming the line: "line 3: invalid hex digit 'z'",
  // "line 2: odd number of hex digits", "line 7: offset 0x10 is before the
  // bytes so far (0x20)", "line 4: offset 0x8000000000000000 is past the
  // largest file offset (0x7fffffffffffffff)". A lone "*" line is hexdump's
  // repeat of the line before, and xxd -a's left-out lines of zeros.
  absl::Status Write(absl::string_view text);

  // Finish decodes a last line without a newline and checks the end (plain:
  // "odd number of hex digits").
  absl::Status Finish();

 private:
  absl::Status Line(absl::string_view line);
  absl::Status PlainLine(absl::string_view line);
  absl::Status OffsetLine(absl::string_view line);
  absl::Status FillTo(uint64_t offset);
  absl::Status Emit(absl::string_view bytes);
  absl::Status InvalidDigit(char c) const;  // "line 3: invalid hex digit 'z'".

  Format format_;
  Sink sink_;
  uint64_t size_ = 0;
  std::string partial_;   // Text after the last newline.
  uint64_t line_no_ = 0;
  int half_ = -1;         // Plain: a first hex digit waiting for its second.
  std::string previous_;  // hexdump: the last data line's bytes, for "*".
  bool repeat_ = false;   // hexdump: a "*" line came; fill with previous_.
};

}  // namespace ipckit::hex

#endif  // IPCKIT_LIB_HEX_UNDUMP_H_
