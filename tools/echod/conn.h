// conn.h holds what echod's worker files share: the epoll handlers (a
// listener, a datagram socket, a stream connection, the wake-up eventfd),
// per-worker counters and the clock. Internal to echod.
//
// Threads: each worker's handlers and counters belong to its thread; the
// counters are read by the stats thread as relaxed atomics.
#ifndef IPCKIT_TOOLS_ECHOD_CONN_H_
#define IPCKIT_TOOLS_ECHOD_CONN_H_

#include <stdint.h>
#include <time.h>

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "lib/io/unique_fd.h"
#include "lib/tls/tls_stream.h"
#include "tools/echod/listen_spec.h"

namespace ipckit::echod {

inline constexpr size_t kScratch = 64 * 1024;  // Datagram and handshake-drain reads.
inline constexpr int kMaxEvents = 256;         // epoll_wait batch.
inline constexpr size_t kBulkRead = 64 * 1024;  // A read this big starts --splice.

// NowNs returns CLOCK_MONOTONIC in nanoseconds.
inline int64_t NowNs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// SharedCounters is what the workers share: only the number of active
// connections, for --max-conns. Everything else each worker counts in its own
// WorkerCounters, so the per-request path has no locked instruction.
struct SharedCounters {
  std::atomic<uint64_t> active{0};
};

// WorkerCounters are written by one worker thread and read by any.
struct alignas(64) WorkerCounters {
  std::atomic<uint64_t> accepted{0}, rejected{0}, bytes_in{0}, bytes_out{0}, datagrams_in{0},
      datagrams_out{0}, dropped{0}, handshakes{0}, handshake_failures{0};
};

// Add increments a counter that only this thread writes: a plain add, no lock.
inline void Add(std::atomic<uint64_t>& c, uint64_t n) {
  c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

// Kind says what an epoll event's Handler is.
enum class Kind { kListener, kDatagram, kConn, kWake };

struct Handler {
  Kind kind;
};

// ListenerHandler is a listening stream socket or a datagram socket.
struct ListenerHandler : Handler {
  int fd;
  Transport transport;
  bool tls;
};

// Conn is one stream connection. `kept` holds only what the client has not
// read yet; it exists only while there is some.
struct Conn : Handler {
  int fd = -1;
  uint64_t id = 0;
  std::unique_ptr<char[]> kept;
  size_t kept_off = 0, kept_len = 0;
  bool read_eof = false;
  bool reading = true;
  uint32_t events = 0;
  uint64_t echoed = 0;
  int64_t last_active = 0;
  uint64_t chargen_line = 0;
  std::deque<std::pair<int64_t, std::string>> delayed;  // --delay: data and when it is due.
  size_t delayed_bytes = 0;
  // Bulk mode: once a read brings kBulkRead bytes or more, the connection
  // echoes through a pipe with splice(2) and keeps the pipe until it closes.
  io::UniqueFd pipe_r, pipe_w;
  size_t in_pipe = 0;
  // TLS: the stream owns fd; until the handshake is done nothing is echoed.
  std::unique_ptr<tls::TlsStream> tls;
  bool handshaking = false;
};

}  // namespace ipckit::echod

#endif  // IPCKIT_TOOLS_ECHOD_CONN_H_
