// stream_check: the data source and the integrity check of the throughput
// benchmarks. `stream_check gen SIZE` writes SIZE bytes of a fixed
// pseudo-random pattern to stdout; `stream_check check SIZE` reads stdin and
// exits 0 only if it is exactly that pattern, byte for byte.
//
// Both must be much faster than the tools measured: the pattern is computed
// once (PERIOD bytes, an odd length so a shifted stream never matches), gen
// hands it to the pipe with vmsplice(2), check compares with memcmp, and both
// enlarge their pipe to 1 MiB.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/cli/options.h"
#include "lib/cli/values.h"
#include "lib/io/fd.h"
#include "lib/io/io_buffer.h"

namespace {

constexpr size_t kPeriod = (16 << 20) + 4099;
constexpr size_t kChunk = 1 << 20;

std::vector<char> Pattern() {
  std::vector<char> p(kPeriod);
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (size_t i = 0; i < p.size(); ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    p[i] = static_cast<char>(x >> 32);
  }
  return p;
}

absl::Status Generate(const std::vector<char>& pattern, uint64_t total) {
  ::fcntl(STDOUT_FILENO, F_SETPIPE_SZ, 1 << 20);
  bool use_vmsplice = true;
  for (uint64_t done = 0; done < total;) {
    size_t off = static_cast<size_t>(done % kPeriod);
    size_t n = static_cast<size_t>(std::min<uint64_t>({kPeriod - off, total - done, kChunk}));
    if (use_vmsplice) {
      struct iovec iov = {const_cast<char*>(pattern.data() + off), n};
      ssize_t w = ::vmsplice(STDOUT_FILENO, &iov, 1, 0);
      if (w > 0) {
        done += static_cast<uint64_t>(w);
        continue;
      }
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && (errno == EBADF || errno == EINVAL)) {
        use_vmsplice = false;  // stdout is not a pipe.
        continue;
      }
      return absl::ErrnoToStatus(errno, "vmsplice stdout");
    }
    absl::Status s = ipckit::io::WriteAll(STDOUT_FILENO, absl::string_view(pattern.data() + off, n),
                                      "write stdout");
    if (!s.ok()) return s;
    done += n;
  }
  return absl::OkStatus();
}

absl::Status Check(const std::vector<char>& pattern, uint64_t total) {
  ::fcntl(STDIN_FILENO, F_SETPIPE_SZ, 1 << 20);
  ipckit::io::IoBuffer buf(kChunk);  // Placed for fast kernel copies.
  uint64_t done = 0;
  for (;;) {
    absl::StatusOr<size_t> r = ipckit::io::ReadOnce(STDIN_FILENO, absl::MakeSpan(buf.data(), buf.size()), "read stdin");
    if (!r.ok()) return r.status();
    if (*r == 0) break;
    if (done + *r > total) return absl::DataLossError(absl::StrCat("more than ", total, " bytes"));
    for (size_t i = 0; i < *r;) {
      size_t off = static_cast<size_t>((done + i) % kPeriod);
      size_t n = std::min(*r - i, kPeriod - off);
      if (memcmp(buf.data() + i, pattern.data() + off, n) != 0) {
        return absl::DataLossError(absl::StrCat("mismatch within bytes ", done + i, "..", done + i + n));
      }
      i += n;
    }
    done += *r;
  }
  if (done != total) return absl::DataLossError(absl::StrCat("got ", done, " of ", total, " bytes"));
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  ipckit::cli::Parser p(ipckit::cli::ToolInfo{
      "stream_check", {"gen|check SIZE"}, "Generate or verify the benchmark byte pattern.", "", false});
  std::vector<std::string> args = p.ParseOrExit(argc, argv);
  if (args.size() != 2 || (args[0] != "gen" && args[0] != "check")) {
    return p.UsageError(absl::InvalidArgumentError("expected gen|check SIZE"));
  }
  absl::StatusOr<uint64_t> total = ipckit::cli::ParseSize(args[1]);
  if (!total.ok()) return p.UsageError(total.status());
  // vmsplice hands the pattern's own pages to the pipe (and, spliced on,
  // to sockets and other pipes): they must never change or go back to the
  // allocator while anything may still hold them, so the pattern is never
  // freed (reachable from this static: not a leak to LeakSanitizer).
  static const std::vector<char>* const pattern = new std::vector<char>(Pattern());
  absl::Status s = args[0] == "gen" ? Generate(*pattern, *total) : Check(*pattern, *total);
  if (!s.ok()) return p.Fail(s);
  return 0;
}
