#include "tools/fmap/progress.h"

#include <unistd.h>

#include <iostream>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace ipckit::fmap {

std::string FormatBytes(uint64_t n) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? absl::StrFormat("%d B", n) : absl::StrFormat("%.1f %s", v, kUnits[u]);
}

ProgressSink ProgressTo(bool forced, bool results_on_stdout) {
  ProgressSink s;
  if (forced) {
    s.out = &std::cerr;
    s.delay = absl::ZeroDuration();
  } else if (::isatty(STDERR_FILENO) && !(results_on_stdout && ::isatty(STDOUT_FILENO))) {  // Results on the terminal win.
    s.out = &std::cerr;
  }
  return s;
}

Progress::Progress(const ProgressSink& sink, std::string label, uint64_t total)
    : out_(sink.out), label_(std::move(label)), total_(total), next_(absl::Now() + sink.delay) {}

Progress::~Progress() {
  if (out_ == nullptr || !drawn_) return;
  Draw();
  *out_ << "\n";
  out_->flush();
}

void Progress::Update(uint64_t done) {
  done_ = done;
  if (out_ == nullptr) return;
  absl::Time now = absl::Now();
  if (now < next_) return;
  next_ = now + absl::Milliseconds(250);
  Draw();
}

void Progress::Draw() {
  drawn_ = true;
  if (total_ > 0) {
    *out_ << absl::StrFormat("\r%s: %s of %s (%d%%)\x1b[K", label_, FormatBytes(done_), FormatBytes(total_),
                             static_cast<int>(done_ * 100 / total_));
  } else {
    *out_ << absl::StrFormat("\r%s: %s\x1b[K", label_, FormatBytes(done_));
  }
  out_->flush();
}

}  // namespace ipckit::fmap
