// undump_fuzzer: fmap undump's reader (lib/hex/undump.h), in all three
// formats, over any text. The first byte picks the format and the size of
// the pieces the text is fed in. Checked besides memory safety: the sink
// never gets a piece over 64 KiB, size() is what the sink got, and the
// text fed in pieces decodes to the same bytes and the same status as the
// text fed whole. A gap to a far offset is cut off by the sink (an error
// after 4 MiB), as a full disk would stop it.
#include <stddef.h>
#include <stdint.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "lib/hex/undump.h"

namespace {

using ipckit::hex::Undumper;

constexpr size_t kCap = 4 << 20;

struct Result {
  std::string bytes;
  absl::Status status;
  uint64_t size = 0;
};

// Decode feeds `text` in pieces of `piece` bytes (0: whole) and finishes.
Result Decode(Undumper::Format format, absl::string_view text, size_t piece) {
  Result r;
  Undumper u(format, [&](absl::string_view b) {
    if (b.size() > 64 * 1024) __builtin_trap();
    if (r.bytes.size() + b.size() > kCap) return absl::ResourceExhaustedError("cap");
    r.bytes.append(b.data(), b.size());
    return absl::OkStatus();
  });
  if (piece == 0) piece = text.size() + 1;
  for (size_t i = 0; i < text.size() && r.status.ok(); i += piece) r.status = u.Write(text.substr(i, piece));
  if (r.status.ok()) r.status = u.Finish();
  r.size = u.size();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Undumper::Format formats[] = {Undumper::Format::kPlain, Undumper::Format::kXxd, Undumper::Format::kHexdump};
  Undumper::Format format = formats[data[0] % 3];
  size_t piece = 1 + data[0] / 3 % 17;
  absl::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  Result whole = Decode(format, text, 0);
  Result pieces = Decode(format, text, piece);
  if (whole.size < whole.bytes.size()) __builtin_trap();
  if (whole.status.ok() && whole.size != whole.bytes.size()) __builtin_trap();
  // The cap cuts both at the same byte, so even then they agree.
  if (whole.bytes != pieces.bytes || whole.status != pieces.status) __builtin_trap();
  return 0;
}
