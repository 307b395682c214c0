// progress.h: fmap's progress line for long passes over big files, on
// stderr when it is a terminal (or with --progress): "fmap find big.bin:
// 1.2 GiB of 6.0 GiB (20%)", rewritten in place at most four times a second
// and ended with a newline.
//
// Threads: a Progress is updated from one thread (the pass it reports on).
#ifndef IPCKIT_TOOLS_FMAP_PROGRESS_H_
#define IPCKIT_TOOLS_FMAP_PROGRESS_H_

#include <stdint.h>

#include <ostream>
#include <string>

#include "absl/time/time.h"

namespace ipckit::fmap {

// ProgressSink says where progress lines go (out == nullptr: nowhere) and
// how long a pass must run before the first one (so quick passes stay quiet).
struct ProgressSink {
  std::ostream* out = nullptr;
  absl::Duration delay = absl::Milliseconds(500);
};

// ProgressTo returns the sink for a tool's --progress flag: stderr at once
// when `forced`, stderr after the delay when it is a terminal and stdout is
// not (results printed to the terminal are not interleaved; a command that
// prints no results passes results_on_stdout = false), else none.
ProgressSink ProgressTo(bool forced, bool results_on_stdout = true);

class Progress {
 public:
  // Progress reports on `sink` about `label` covering `total` bytes (0:
  // unknown).
  Progress(const ProgressSink& sink, std::string label, uint64_t total);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Update records that `done` bytes are done and redraws if it is time.
  void Update(uint64_t done);

 private:
  void Draw();
  std::ostream* out_;
  std::string label_;
  uint64_t total_;
  uint64_t done_ = 0;
  absl::Time next_ = absl::InfinitePast();
  bool drawn_ = false;
};

// FormatBytes returns "512 B", "1.5 KiB", "1.2 GiB".
std::string FormatBytes(uint64_t n);

}  // namespace ipckit::fmap

#endif  // IPCKIT_TOOLS_FMAP_PROGRESS_H_
