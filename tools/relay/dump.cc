#include "tools/relay/dump.h"

#include "lib/hex/traffic.h"

namespace ipckit::relay_tool {

absl::StatusOr<size_t> DumpStream::Read(absl::Span<char> buf) {
  absl::StatusOr<size_t> n = inner()->Read(buf);
  if (n.ok() && *n > 0) {
    sink_(hex::SocatBlock(dir_, absl::Now(), offset_, absl::string_view(buf.data(), *n)));
    offset_ += *n;
  }
  return n;
}

}  // namespace ipckit::relay_tool
