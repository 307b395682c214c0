// worker.h is one relay event loop: Worker. Each worker thread runs one
// (--workers), accepting from every listener and relaying its clients, all
// on one lib/selector. Its parts live in files by seam:
//   worker.cc    the loop, accepting, timers, the idle sweep, stopping
//   upstream.cc  opening TO for a client: connect, TLS handshakes, exec
//   pump.cc      relaying: the two Flows, faults, closing
// Internal to relay.
//
// Threads: a Worker runs on its own thread; the methods marked "any
// thread" below may be called from others.
#ifndef IPCKIT_TOOLS_RELAY_WORKER_H_
#define IPCKIT_TOOLS_RELAY_WORKER_H_

#include <stdint.h>
#include <sys/socket.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <ostream>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/io/io_buffer.h"
#include "lib/io/unique_fd.h"
#include "lib/process/spawn.h"
#include "lib/selector/selector.h"
#include "lib/server/idle_sweep.h"
#include "tools/relay/fault_table.h"
#include "tools/relay/plan.h"
#include "tools/relay/session.h"

namespace ipckit::relay_tool {

// Counters are one worker's counts: written by its thread, read by any.
struct alignas(64) Counters {
  std::atomic<uint64_t> accepted{0};           // Clients taken from the backlog.
  std::atomic<uint64_t> refused{0};            // "down": reset or closed at once.
  std::atomic<uint64_t> rejected{0};           // Over --max-conns.
  std::atomic<uint64_t> upstream_failures{0};  // TO could not be opened (connect, TLS, exec).
  std::atomic<uint64_t> client_handshake_failures{0};
  std::atomic<uint64_t> relayed{0};            // Sessions that reached relaying.
  std::atomic<uint64_t> closed{0};             // Sessions ended, for any reason.
  std::atomic<uint64_t> idle_closed{0};
  std::atomic<uint64_t> fault_resets{0}, fault_limits{0}, fault_timeouts{0};
  std::atomic<uint64_t> bytes_up{0}, bytes_down{0};
  std::atomic<uint64_t> bytes_spliced{0};  // Of bytes_up and bytes_down: moved with splice(2).
  std::atomic<uint64_t> datagrams_up{0}, datagrams_down{0}, datagrams_dropped{0};
  std::atomic<uint64_t> datagrams_lost{0}, datagrams_duplicated{0};  // By the loss and duplicate faults.
};

// Linger0 makes the next close(2) of `fd` send a reset (RST).
inline void Linger0(int fd) {
  struct linger lg = {1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

// Add increments a counter only this thread writes: a plain add, no lock.
inline void Add(std::atomic<uint64_t>& c, uint64_t n) {
  c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

// Shared is what all workers share.
struct Shared {
  FaultTable table;
  std::atomic<int64_t> active{0};  // Sessions open, for --max-conns.
  std::ostream* log = nullptr;     // -v lines, written under LogMutex().
};

// LogMutex orders every worker's writes to the log, across Shared sets
// (the API's proxies each have one). A std::mutex: see FaultTable's mu_.
inline std::mutex& LogMutex() {
  static std::mutex* mu = new std::mutex;
  return *mu;
}

// ListenerFd is a listening socket every worker accepts from.
struct ListenerFd {
  int fd;
  bool tls;
  bool datagram = false;  // A bound UDP socket (served by one worker only).
};

class Worker {
 public:
  Worker(const Plan& plan, Shared* shared, std::vector<ListenerFd> listeners);
  ~Worker();

  // Init creates the selector and the wake-up eventfd and watches the
  // listeners, or returns the first error.
  absl::Status Init();
  // Run is the loop; it returns once stopped and drained (or at the drain
  // deadline, with what is left closed).
  void Run();
  // Wake makes Run look at the fault table and the stop request now (any thread).
  void Wake();
  // RequestStop asks Run to stop accepting and drain (any thread).
  void RequestStop();
  const Counters& counters() const { return counters_; }

 private:
  // worker.cc
  void Dispatch(const selector::Event& e, absl::Time now);
  void Accept(int index, absl::Time now);
  void Admit(io::UniqueFd fd, const net::SocketAddress& peer, bool tls, absl::Time now);
  void Schedule(Session* s, absl::Time when);
  void RunTimers(absl::Time now);
  void SweepIdle(absl::Time now);
  void ReapChildren(bool wait);
  void WatchListeners(bool on);
  void ApplyTableChange(absl::Time now);
  void Log(const std::string& line);
  void Watch(Session* s, bool upstream, uint32_t events);
  void Forget(Session* s, bool upstream);

  // upstream.cc
  void ClientHandshake(Session* s, absl::Time now);
  void OpenUpstream(Session* s, absl::Time now);
  void ConnectNext(Session* s, absl::Time now);
  void OnConnected(Session* s, absl::Time now);
  void StartProxy(Session* s);
  void ProxyResults(absl::Time now);
  void StartUpstreamTls(Session* s, absl::Time now);
  void UpstreamHandshake(Session* s, absl::Time now);
  void UpstreamFailed(Session* s, const absl::Status& why);

  // datagrams.cc
  void OnDatagrams(int index, absl::Time now);
  UdpSession* UdpSessionFor(int listener, const net::SocketAddress& peer, absl::Time now);
  void OnUdpReplies(UdpSession* u, absl::Time now);
  void CloseUdp(UdpSession* u);
  void SweepUdp(absl::Time now);
  void DrawUdpFaults(UdpSession* u, absl::Time now);
  void Forward(UdpSession* u, int dir, absl::string_view datagram, absl::Time now);
  void SendDatagram(UdpSession* u, int dir, absl::string_view datagram);
  void FlushUdp(UdpSession* u, absl::Time now);
  void ReleaseDatagrams(absl::Time now);
  absl::Time NextDatagramRelease() const;

  // pump.cc
  void StartRelay(Session* s, absl::Time now);
  void Pump(Session* s, bool client_ready, bool upstream_ready, uint32_t client_ev, uint32_t upstream_ev,
            absl::Time now);
  void AfterPump(Session* s, absl::Time now);
  // Draw returns the table's faults that apply to a session whose earlier
  // draws are `drawn`, which it updates: each fault drawn once, by its p=.
  std::vector<const Fault*> Draw(absl::flat_hash_map<std::string, Drawn>& drawn, absl::Time now);
  void DrawFaults(Session* s, absl::Time now);
  void Close(Session* s, bool reset, const std::string& why);

  const Plan& plan_;
  Shared* shared_;
  std::vector<ListenerFd> listeners_;
  std::vector<Handle> listener_handles_;
  bool listening_ = false;
  std::unique_ptr<selector::Selector> sel_;
  io::UniqueFd wake_fd_;
  Handle wake_handle_{Handle::Kind::kWake};
  std::atomic<bool> stop_requested_{false};
  bool stopping_ = false;
  absl::Time drain_deadline_ = absl::InfiniteFuture();
  uint64_t table_version_ = ~uint64_t{0};
  std::shared_ptr<const FaultTable::Faults> faults_;

  uint64_t next_id_ = 1;
  absl::flat_hash_map<uint64_t, std::unique_ptr<Session>> sessions_;
  std::vector<std::unique_ptr<Session>> closed_;  // Freed after each batch of events.
  std::vector<Session*> ready_;                   // Hold input no event announces (TLS).
  absl::flat_hash_map<std::string, std::unique_ptr<UdpSession>> udp_;  // By client address.
  std::vector<std::unique_ptr<UdpSession>> closed_udp_;
  absl::flat_hash_set<UdpSession*> udp_shaped_;  // Sessions with datagrams waiting in a shaper.
  std::set<std::pair<absl::Time, uint64_t>> timers_;  // (when, session id).
  server::IdleSweep idle_;      // --idle-timeout over stream sessions.
  server::IdleSweep udp_idle_;  // The datagram sessions' idle rule (60 s, or --idle-timeout).
  // EndingChild is an exec: child whose session has closed. It has until
  // term_at to exit by itself (EOF on its socket); then its process group
  // gets SIGTERM (SIGCONT for the stopped), and SIGKILL at kill_at. It is not reaped
  // before term_at, so its group id stays its own while it is signalled.
  static constexpr absl::Duration kChildGrace = absl::Seconds(1);
  struct EndingChild {
    process::Child child;
    absl::Time term_at;
    absl::Time kill_at = absl::InfiniteFuture();
  };
  std::vector<EndingChild> children_;             // exec: children not yet reaped.
  // Proxy negotiations run on threads of their own (lib/net/proxy is
  // blocking); each posts (session id, result) here and wakes the loop.
  std::mutex proxy_mu_;  // std::mutex: see FaultTable's mu_.
  std::vector<std::pair<uint64_t, absl::Status>> proxy_done_;  // Under proxy_mu_.
  std::atomic<int> proxy_threads_{0};
  std::unique_ptr<io::IoBuffer> scratch_;
  std::minstd_rand rng_;
  Counters counters_;
};

}  // namespace ipckit::relay_tool

#endif  // IPCKIT_TOOLS_RELAY_WORKER_H_
