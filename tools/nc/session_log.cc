#include "tools/nc/session_log.h"

#include <errno.h>
#include <fcntl.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/hex/traffic.h"
#include "lib/io/fd.h"

namespace ipckit::nc {

absl::StatusOr<std::unique_ptr<SessionLog>> SessionLog::Open(const std::string& raw,
                                                             const std::string& hex,
                                                             bool append) {
  std::unique_ptr<SessionLog> log(new SessionLog());
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
  struct {
    const std::string& path;
    const char* option;
    io::UniqueFd* fd;
  } files[] = {{raw, "--output", &log->raw_}, {hex, "--hex-dump", &log->hex_}};
  for (auto& f : files) {
    if (f.path.empty()) continue;
    *f.fd = io::UniqueFd(::open(f.path.c_str(), flags, 0666));
    if (!*f.fd) return absl::ErrnoToStatus(errno, absl::StrCat(f.option, " ", f.path));
  }
  return log;
}

absl::Status SessionLog::Record(absl::string_view data) {
  if (data.empty()) return absl::OkStatus();
  std::lock_guard<std::mutex> lock(mu_);
  if (raw_) {
    absl::Status s = io::WriteAll(raw_.get(), data, "write --output");
    if (!s.ok()) return s;
  }
  if (hex_) return io::WriteAll(hex_.get(), hex::NcatHexLines(data), "write --hex-dump");
  return absl::OkStatus();
}

absl::StatusOr<size_t> LoggedStream::Read(absl::Span<char> buf) {
  absl::StatusOr<size_t> n = inner()->Read(buf);
  if (n.ok() && *n > 0) {
    absl::Status s = log_->Record(absl::string_view(buf.data(), *n));
    if (!s.ok()) return s;
  }
  return n;
}

absl::StatusOr<size_t> LoggedStream::Write(absl::string_view data) {
  absl::StatusOr<size_t> n = inner()->Write(data);
  if (n.ok() && *n > 0) {
    absl::Status s = log_->Record(data.substr(0, *n));
    if (!s.ok()) return s;
  }
  return n;
}

}  // namespace ipckit::nc
