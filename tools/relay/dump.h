// dump.h: --dump, socat's -x -v for relay. DumpStream wraps a session's
// stream and writes each piece of data read from it as a block: a header
// with the direction ('>' client to TO, '<' TO to client), the time, the
// length and the offsets in that direction, then the bytes in hex with their
// printable characters, 16 a line, then "--" (lib/hex's SocatBlock):
//
//   > 2026/11/30 05:50:00.123456  length=6 from=0 to=5
//    68 65 6c 6c 6f 0a                                hello.
//   --
//
// Threads: a DumpStream belongs to its session's worker thread; its sink is
// called there (relay's sink writes each block whole under the log's lock,
// as every worker shares the log).
#ifndef IPCKIT_TOOLS_RELAY_DUMP_H_
#define IPCKIT_TOOLS_RELAY_DUMP_H_

#include <stdint.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/io/stream.h"

namespace ipckit::relay_tool {

class DumpStream : public io::ForwardingStream {
 public:
  using Sink = std::function<void(const std::string&)>;
  // DumpStream owns `inner`, passes everything to it and gives `sink` a
  // block for each read that returns data.
  DumpStream(std::unique_ptr<io::Stream> inner, char dir, Sink sink)
      : ForwardingStream(inner.get()), owned_(std::move(inner)), dir_(dir), sink_(std::move(sink)) {}

  absl::StatusOr<size_t> Read(absl::Span<char> buf) override;

 private:
  std::unique_ptr<io::Stream> owned_;
  char dir_;
  Sink sink_;
  uint64_t offset_ = 0;
};

}  // namespace ipckit::relay_tool

#endif  // IPCKIT_TOOLS_RELAY_DUMP_H_
