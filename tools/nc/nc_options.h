// nc_options.h: nc's options as one value (declared by DeclareOptions,
// filled by the parser in main, checked by Validate in nc.h), and nc's exit
// codes.
//
// Threads: DeclareOptions on main's thread, as lib/cli's Parser.
#ifndef IPCKIT_TOOLS_NC_NC_OPTIONS_H_
#define IPCKIT_TOOLS_NC_NC_OPTIONS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "lib/cli/options.h"
#include "lib/cli/proxy_flags.h"
#include "lib/cli/tls_flags.h"

namespace ipckit::nc {

// Exit codes beyond lib/cli's 0 (ok), 1 (failure) and 2 (usage).
inline constexpr int kExitTimeout = 3;  // A connect (or -z probe) timed out.
inline constexpr int kExitTlsVerify = 4;  // TLS: certificate verification or pin failed.

// Settings are the flags Run reads as the parser typed them (switches,
// counts, durations, paths): nothing in them is parsed again. Validate
// copies them into the Plan whole (nc.h).
struct Settings {
  bool ipv4 = false;                 // -4
  bool ipv6 = false;                 // -6
  bool listen = false;               // -l
  bool keep_listening = false;       // -k
  bool udp = false;                  // -u
  bool unix_socket = false;          // -U
  bool scan = false;                 // -z
  int verbose = 0;                   // -v
  bool numeric = false;              // -n
  bool shutdown_on_eof = false;      // -N
  bool no_shutdown = false;          // --no-shutdown
  std::optional<absl::Duration> timeout;  // -w
  std::string source_address;        // -s
  std::optional<int> source_port;    // -p
  bool crlf = false;                 // -C
  bool no_stdin = false;             // -d
  absl::Duration interval = absl::ZeroDuration();  // -i
  bool random_ports = false;         // -r
  bool pass_fd = false;              // -F
  bool send_only = false;            // --send-only
  bool recv_only = false;            // --recv-only
  bool keep_sending = false;         // --keep-sending
  std::string port_file;             // --port-file
  std::optional<absl::Duration> idle_timeout;       // --idle-timeout
  std::optional<absl::Duration> wait_for;           // --wait-for: retry connecting until open (wait-for-it).
  std::optional<int> max_conns;                     // --max-conns (with -lk --exec)
  std::string output, hex_dump;                     // --output, --hex-dump
  bool append_output = false;                       // --append-output
};

// Options are nc's flags as given: the Settings, and the flags whose text
// Validate parses into the Plan (-q, -T, -x, --exec, --ssl-*, --allow...).
struct Options : Settings {
  std::optional<std::string> quit_after;  // -q SECS (negative: never)
  std::optional<std::string> tos;    // -T
  std::optional<int> recv_buffer;    // -I
  std::optional<int> send_buffer;    // -O
  std::string exec;                  // --exec
  std::string sh_exec;               // --sh-exec
  // TLS (--ssl).
  bool ssl = false;                                 // --ssl
  // --ssl-cert, --ssl-key, --ssl-verify-client, --ssl-alpn, --ssl-legacy
  // (lib/cli's TLS server group in ncat's spelling; cert, key and ALPN
  // serve a client too).
  cli::TlsServerFlags tls_server{cli::TlsServerFlags::kNcat};
  // --ssl-trustfile, --ssl-servername, --ssl-pin, --insecure.
  cli::TlsClientFlags tls_client{cli::TlsClientFlags::kNcat};
  std::optional<std::string> ssl_ciphers;           // --ssl-ciphers
  bool ssl_verify = false;                          // --ssl-verify (ncat's; verifying is the default)
  // Proxies, as OpenBSD nc.
  std::optional<std::string> proxy;                 // -x HOST:PORT
  std::optional<std::string> proxy_protocol;        // -X 5|connect (default 5)
  std::optional<std::string> proxy_user;            // -P USER
  // ncat's long options, where ncat means what nc does.
  // --proxy HOST[:PORT] (ncat: HTTP by default), --proxy-type, --proxy-auth
  // (lib/cli's proxy group; the last two apply to -x as well).
  cli::ProxyFlags ncat_proxy{net::ProxyProtocol::kHttpConnect};
  std::vector<std::string> allow, deny;             // --allow, --deny (listeners)
  // Flags whose meaning differs between netcats; given, they are rejected.
  std::optional<std::string> flag_e, flag_c;
  bool flag_t = false;
  std::vector<std::string> args;     // HOST PORT[S], or PORT / HOST PORT with -l, or PATH with -U.
};

// ToolInfo is nc's synopsis, summary and --help epilog.
cli::ToolInfo ToolInfo();

// DeclareOptions declares each of nc's options on `p`, once, with its help
// text, filling `o`; `o->args` is what the parse leaves over.
void DeclareOptions(cli::Parser& p, Options* o);

}  // namespace ipckit::nc

#endif  // IPCKIT_TOOLS_NC_NC_OPTIONS_H_
