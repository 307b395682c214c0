// demos.h holds sigtest's measuring subcommands: coalesce (standard signals
// merge while pending, real-time ones queue), alarm (interval timer ticks
// with jitter and overruns) and latency (signal round trips between two
// processes).
//
// Threads: main's thread, before any other starts: each measurement
// blocks signals for the process.
#ifndef IPCKIT_TOOLS_SIGTEST_DEMOS_H_
#define IPCKIT_TOOLS_SIGTEST_DEMOS_H_

#include <ostream>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace ipckit::sigtest {

// Coalesce blocks USR1 and RTMIN, sends each `count` times to itself, and
// writes how many of each were delivered:
// "USR1: sent 5, delivered 1 (coalesced)" / "RTMIN: sent 5, delivered 5 (queued)".
absl::Status Coalesce(int count, bool json, std::ostream& out);

// Alarm arms a POSIX interval timer (CLOCK_MONOTONIC, SIGALRM) and writes one
// line per tick, "tick 3 +0.300041s jitter=+41us overrun=0", then a summary.
absl::Status Alarm(absl::Duration interval, int count, bool json, std::ostream& out);

// Latency measures `iterations` signal round trips between this process and
// a forked child (sigqueue, sigwaitinfo both ways) and writes percentiles.
absl::Status Latency(int iterations, bool json, std::ostream& out);

}  // namespace ipckit::sigtest

#endif  // IPCKIT_TOOLS_SIGTEST_DEMOS_H_
