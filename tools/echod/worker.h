// worker.h is one echod event loop: Worker. Each worker thread runs
// one, serving every listener. Its parts live in files by seam:
//   worker.cc         the loop, accept, close
//   stream_echo.cc    echo on streams: copy, splice, backpressure, half-close,
//                     and the services chargen/daytime/discard
//   tls_handshake.cc  the non-blocking TLS handshake, then reads of TLS records
//   timers.cc         faults that wait (--delay) and the idle sweep
//   datagrams.cc      UDP and Unix datagram replies
// The per-request path (OnConn, Read, Recv, Send, Transmit) stays in one
// file, so the compiler can inline it. Internal to echod.
//
// Why raw epoll and not lib/selector (relay's loop): echod is measured
// against bench's epoll floor (CPU per request within 5%), and Select's
// per-event hash lookup and returned vector are what it would add. What
// the two servers share is lib/server: signals, the listening lines, the
// drain, IdleSweep.
//
// Threads: a Worker runs on its own thread; Wake and RequestStop may be
// called from any thread.
#ifndef IPCKIT_TOOLS_ECHOD_WORKER_H_
#define IPCKIT_TOOLS_ECHOD_WORKER_H_

#include <stdint.h>
#include <sys/epoll.h>
#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/io/io_buffer.h"
#include "lib/io/unique_fd.h"
#include "lib/server/idle_sweep.h"
#include "tools/echod/conn.h"
#include "tools/echod/server_options.h"

namespace ipckit::echod {

// Worker is one event loop (see above); Server starts one per --workers.
class Worker {
 public:
  // Worker serves `fds` (listening stream sockets and datagram sockets, with
  // their transports and TLS flags) once Init and Run are called.
  Worker(const ServerOptions& o, const std::vector<int>& fds,
         const std::vector<Transport>& transports, const std::vector<bool>& tls, SharedCounters* counters)
      : o_(o), shared_(counters), rng_(std::random_device()()) {
    for (size_t i = 0; i < fds.size(); ++i) {
      auto h = std::make_unique<ListenerHandler>();
      h->kind = IsStream(transports[i]) ? Kind::kListener : Kind::kDatagram;
      h->fd = fds[i];
      h->transport = transports[i];
      h->tls = tls[i];
      listeners_.push_back(std::move(h));
    }
    // An IoBuffer: on bulk streams its placement alone is worth 30%.
    scratch_ = std::make_unique<io::IoBuffer>(std::max(kScratch, o.buffer_size) + 1);
  }

  // Init creates the epoll set and the wake-up eventfd and watches every
  // listener, or returns the epoll_create1/eventfd/epoll_ctl error.
  absl::Status Init();

  // Wake interrupts Run's epoll_wait (from any thread).
  void Wake();

  // RequestStop asks Run to stop accepting and drain (from any thread).
  void RequestStop();

  // Run is the worker's event loop (worker.cc); it returns once stopped and
  // drained, or at the drain deadline with what remains closed.
  void Run();

  // counters are this worker's counts, readable from any thread.
  const WorkerCounters& counters() const { return *counters_; }

 private:
  // Ctl is epoll_ctl(2) with `h` as the event's data; it returns success.
  bool Ctl(int op, int fd, uint32_t events, Handler* h) {
    struct epoll_event ev = {};
    ev.events = events;
    ev.data.ptr = h;
    return ::epoll_ctl(epfd_.get(), op, fd, &ev) == 0;
  }

  // Watch sets the events `c` is watched for, with no syscall if unchanged.
  void Watch(Conn* c, uint32_t events) {
    if (c->events == events) return;
    c->events = events;
    Ctl(EPOLL_CTL_MOD, c->fd, events, c);
  }

  // Accept takes up to 64 pending connections from `l` (worker.cc).
  void Accept(ListenerHandler* l);

  // Established starts the service on a connection ready for data: daytime
  // sends its line at once.
  void Established(Conn* c);

  // Handshake advances a TLS handshake; once done the connection is served.
  void Handshake(Conn* c);

  // ReadTls reads until BoringSSL holds no decrypted bytes, which epoll
  // cannot announce.
  void ReadTls(Conn* c);

  // Recv and Transmit are recv(2) and send(2) for plain and TLS connections
  // alike: bytes, 0 at EOF (Recv), or -1 with errno (EAGAIN: would block).
  ssize_t Recv(Conn* c, char* buf, size_t n);

  ssize_t Transmit(Conn* c, const char* data, size_t n);

  // Send writes `n` bytes (in --chunk pieces) and keeps what does not fit.
  void Send(Conn* c, const char* data, size_t n);

  // OnConn handles a connection's epoll events (stream_echo.cc).
  void OnConn(Conn* c, uint32_t events);

  // Alive says whether `c` is still open (events later in a batch may point
  // at a connection closed earlier in it).
  static bool Alive(const Conn* c) { return c->fd >= 0; }

  // Received takes the result `n` of a read from `c`: io::WouldBlock ends
  // the read, another error closes `c`, EOF finishes it; data (true) is
  // counted and marks `c` active.
  bool Received(Conn* c, ssize_t n);

  // Read reads once and echoes (or delays, or drops) what came (stream_echo.cc).
  void Read(Conn* c);

  // StartBulk gives `c` a pipe for splice(2); without one it stays on copies.
  void StartBulk(Conn* c);

  // ReadBulk splices from the client into its pipe (--splice).
  void ReadBulk(Conn* c);

  // FlushPipe splices what the pipe holds back to the client; while any is
  // left, the connection is not read.
  void FlushPipe(Conn* c);

  // Flush writes what the client was owed, then resumes reading.
  void Flush(Conn* c);

  // OnEof records the client's EOF: no more reading; finish once flushed.
  void OnEof(Conn* c);

  // MaybeFinish closes a connection whose client has sent EOF once
  // everything owed to it is written: shutdown(SHUT_WR), then close.
  void MaybeFinish(Conn* c);

  // Close closes `c`: FIN (and close_notify) when graceful, RST with --rst.
  void Close(Conn* c, bool graceful);

  // Forget drops a connection whose socket is closed.
  void Forget(Conn* c);

  // RunTimers sends --delay's held data that is due (timers.cc).
  void RunTimers(int64_t now);

  // SweepIdle closes connections idle for --idle-timeout, when a sweep is
  // due (timers.cc).
  void SweepIdle(int64_t now);

  // Datagrams answers up to 64 datagrams on `l` (datagrams.cc).
  void Datagrams(ListenerHandler* l);

  const ServerOptions& o_;
  SharedCounters* shared_;
  WorkerCounters counters_storage_;
  WorkerCounters* counters_ = &counters_storage_;
  std::vector<std::unique_ptr<Conn>> closed_;  // Freed after the event batch that closed them.
  std::mt19937_64 rng_;
  std::vector<std::unique_ptr<ListenerHandler>> listeners_;
  std::unique_ptr<io::IoBuffer> scratch_;
  io::UniqueFd epfd_, wake_;
  Handler wake_handler_;
  absl::flat_hash_map<uint64_t, std::unique_ptr<Conn>> conns_;
  std::multimap<int64_t, uint64_t> timers_;  // Due time -> connection id (--delay).
  uint64_t next_id_ = 1;
  std::atomic<bool> stop_requested_{false};
  bool stopping_ = false;
  const bool track_idle_ = o_.idle_timeout != absl::InfiniteDuration();
  server::IdleSweep idle_;  // --idle-timeout's rule; times are absl::FromUnixNanos(NowNs()).
  const bool delaying_ = o_.delay > absl::ZeroDuration();  // --delay: echoes wait on timers.
  const bool echoing_ = o_.service == Service::kEcho;      // Else input is read and dropped.
  // Bulk splicing only for plain echo: faults need the bytes in hand.
  const bool splice_ok_ = o_.splice && o_.service == Service::kEcho && o_.chunk == 0 &&
                          o_.close_after == 0 && o_.delay == absl::ZeroDuration();
};

}  // namespace ipckit::echod

#endif  // IPCKIT_TOOLS_ECHOD_WORKER_H_
