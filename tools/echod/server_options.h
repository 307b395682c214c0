// server_options.h: what echod's Server is told to do (ServerOptions), apart
// from the Server itself so that its workers can read it.
//
// Threads: ServerOptions are written before the workers start and only
// read after: any thread may read them.
#ifndef IPCKIT_TOOLS_ECHOD_SERVER_OPTIONS_H_
#define IPCKIT_TOOLS_ECHOD_SERVER_OPTIONS_H_

#include <stddef.h>
#include <stdint.h>

#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "lib/tls/tls_context.h"
#include "tools/echod/listen_spec.h"

namespace ipckit::echod {

enum class Service { kEcho, kDiscard, kChargen, kDaytime };

struct ServerOptions {
  std::vector<ListenSpec> listeners;
  std::vector<int> inherited_fds;  // Socket activation (LISTEN_FDS): already bound.
  bool inherited_tls = false;      // Serve TLS on inherited stream sockets.
  // The server context for listeners with tls set (ListenSpec::tls).
  std::shared_ptr<const tls::TlsContext> tls;
  int workers = 1;
  int64_t max_conns = 0;  // 0: no limit.
  absl::Duration idle_timeout = absl::InfiniteDuration();
  absl::Duration drain_timeout = absl::Seconds(5);
  Service service = Service::kEcho;
  // Read size, and the per-connection bound on kept data. On loopback
  // streams 128 KiB reads measured as fast as 256 KiB and 10% faster than
  // 64 KiB (bench/README.md).
  size_t buffer_size = 128 * 1024;
  // splice: bulk connections echo through a pipe with splice(2). Off by
  // default: on loopback it saves echod a little CPU per byte but slows the
  // whole stream ~30% (2.1 vs 2.9 GB/s), the client's kernel then copying
  // from page-sized pieces.
  bool splice = false;
  // Fault injection, all off by default.
  absl::Duration delay = absl::ZeroDuration();  // Hold each echo this long.
  size_t chunk = 0;                             // Echo in pieces of this many bytes.
  uint64_t close_after = 0;                     // Close after echoing this many bytes.
  bool rst = false;                             // Close abortively (RST).
  double drop_rate = 0;                         // UDP: drop this fraction of datagrams.
};

}  // namespace ipckit::echod

#endif  // IPCKIT_TOOLS_ECHOD_SERVER_OPTIONS_H_
