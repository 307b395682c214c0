// plan.h is what relay was told to do, checked and parsed (Validate in
// relay.h makes it without opening a file or resolving a name), and what
// Prepare, Run's first step, loads for it: the TLS contexts and TO's and
// the proxy's addresses (Plan::loaded; Prepare is in relay.h). The workers read it and never
// change it.
//
// Threads: a Plan is made before the workers start and only read after:
// any thread may read it.
#ifndef IPCKIT_TOOLS_RELAY_PLAN_H_
#define IPCKIT_TOOLS_RELAY_PLAN_H_

#include <stddef.h>
#include <stdint.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "lib/net/address.h"
#include "lib/net/proxy.h"
#include "lib/tls/tls_context.h"
#include "tools/relay/endpoint.h"
#include "tools/relay/fault.h"
#include "tools/relay/fault_table.h"

namespace ipckit::relay_tool {

// Loaded is what Prepare makes of a Plan: empty after Validate.
struct Loaded {
  std::vector<net::SocketAddress> to_addresses;       // tcp, tls, udp TO resolved; unix TO's path.
  std::shared_ptr<const tls::TlsContext> server_tls;  // For a TLS FROM.
  std::shared_ptr<const tls::TlsContext> client_tls;  // For a TLS TO.
  std::vector<net::SocketAddress> proxy_addresses;    // With --proxy.
};

struct Plan {
  From from;
  To to;
  std::vector<int> listen_fds;                   // FROM listen-fds.
  bool tls_listener = false;                     // tls: FROM (or --tls with listen-fds).
  std::optional<tls::TlsOptions> server_tls;     // For a TLS FROM: files to load.
  std::optional<tls::TlsOptions> client_tls;     // For a TLS TO: verify, CA file.
  std::string server_name;                       // TLS TO: SNI ("" for none).
  std::string verify_name;                       // TLS TO: what the certificate must match.
  std::vector<std::string> pins;                 // TLS TO: sha256//... SPKI pins.
  bool insecure = false;                         // TLS TO: --insecure (main warns).
  bool proxy = false;                            // Reach TO through a proxy (--proxy).
  std::string proxy_host;                        // --proxy's host, resolved by Prepare.
  uint16_t proxy_port = 0;
  net::ProxyProtocol proxy_protocol = net::ProxyProtocol::kSocks5;
  std::string proxy_user, proxy_password;
  int workers = 1;
  int64_t max_conns = 0;                         // 0: no limit.
  absl::Duration idle_timeout = absl::InfiniteDuration();
  absl::Duration udp_idle_timeout = absl::Seconds(60);  // --idle-timeout when given.
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration drain_timeout = absl::Seconds(5);
  bool nodelay = true;                           // TCP_NODELAY both ways (off with --nagle).
  bool splice = true;                            // Bulk plain streams move with splice(2) (off with --no-splice).
  bool reset_on_connect_failure = true;          // false: close the client with a FIN.
  size_t buffer_size = 256 * 1024;               // Per direction.
  size_t latency_buffer = 32 << 20;              // Per direction, while a latency holds bytes.
  std::vector<Fault> faults;                     // At start.
  Admission admission = Admission::kServe;       // At start (--down, --stall).
  std::string control_path;
  bool has_from = true;                          // false: --api or --config alone (toxiproxy-server's way).
  bool api = false;                              // --api: serve toxiproxy's HTTP API (api.h).
  std::string api_host;                          // --api's host, resolved by Run ("" is every address).
  uint16_t api_port = 0;
  std::string config_path;                       // --config: the API's proxies at start.
  std::string port_file;
  int ready_fd = -1;
  bool json = false;
  int verbose = 0;
  bool dump = false;  // --dump: hex blocks of every read, as socat -x -v.
  Loaded loaded;      // Prepare's, not Validate's.
};

}  // namespace ipckit::relay_tool

#endif  // IPCKIT_TOOLS_RELAY_PLAN_H_
