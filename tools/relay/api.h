// api.h is toxiproxy 2.x's HTTP API (relay --api HOST:PORT), so that
// toxiproxy-cli, curl lines and the client libraries drive relay as they
// drive toxiproxy-server:
//
//   GET  /version                          {"version": "..."}
//   GET  /proxies                          {"NAME": PROXY, ...}
//   POST /proxies                          create: {name, listen, upstream, enabled}  201, 400, 409
//   POST /populate                         create or replace: [PROXY, ...]           201 {"proxies": [...]}
//   GET|POST|PATCH|DELETE /proxies/NAME    show, update (listen, upstream, enabled), delete (204)
//   GET|POST /proxies/NAME/toxics          list, add a toxic (toxic.h)                 409 if its name is taken
//   GET|POST|PATCH|DELETE /proxies/NAME/toxics/TOXIC
//   POST /reset                            enable every proxy, remove every toxic      204
//
// PROXY is {"name", "listen", "upstream", "enabled", "toxics": [TOXIC...]};
// errors are toxiproxy's: {"error":"proxy not found","status":404}. As
// toxiproxy, a request whose User-Agent starts "Mozilla/" is refused (403):
// a web page cannot drive the API from a browser. Each proxy is a relay
// listener with its own fault table (ProxyHost); an empty listen is
// 127.0.0.1:0, and once started a proxy's listen is the address it got.
//
// Threads: a ToxiproxyApi is used from one thread (the control loop).
#ifndef IPCKIT_TOOLS_RELAY_API_H_
#define IPCKIT_TOOLS_RELAY_API_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/http/request.h"
#include "lib/json/json_reader.h"
#include "lib/server/control_socket.h"
#include "tools/relay/fault.h"
#include "tools/relay/toxic.h"

namespace ipckit::relay_tool {

// kToxiproxyVersion is the toxiproxy release whose API relay speaks, and
// what GET /version says (with "+relay").
inline constexpr char kToxiproxyVersion[] = "2.12.0";

// ProxyHost runs the API's proxies: relay's workers, or a fake in tests.
class ProxyHost {
 public:
  virtual ~ProxyHost() = default;
  // Start listens on `listen` (HOST:PORT) and relays each client to
  // `upstream` (HOST:PORT), with `faults` in force; it returns the address
  // it listens on (port 0 replaced by the one it got), or the error
  // (kInvalidArgument for an address it cannot take).
  virtual absl::StatusOr<std::string> Start(const std::string& name, const std::string& listen,
                                            const std::string& upstream, const std::vector<Fault>& faults) = 0;
  // Stop closes `name`'s listener and every connection it relays.
  virtual void Stop(const std::string& name) = 0;
  // SetFaults puts `faults` in force on `name`'s connections, live ones included.
  virtual void SetFaults(const std::string& name, const std::vector<Fault>& faults) = 0;
};

// Response is one HTTP answer.
struct Response {
  int status = 200;
  std::string content_type;
  std::string body;
};

class ToxiproxyApi {
 public:
  explicit ToxiproxyApi(ProxyHost* host) : host_(host) {}
  // ~ToxiproxyApi stops every proxy.
  ~ToxiproxyApi();
  ToxiproxyApi(const ToxiproxyApi&) = delete;
  ToxiproxyApi& operator=(const ToxiproxyApi&) = delete;

  // Handle answers one request.
  Response Handle(const http::Request& r);

  // Populate creates or replaces the proxies of a JSON array
  // (toxiproxy-server's -config file, as POST /populate does), or returns
  // the first error: kInvalidArgument "missing required field: upstream at
  // proxy 2", or a proxy's start error (the proxies before it are made).
  absl::Status Populate(absl::string_view body);

  // Protocol is this API over HTTP/1.1, for a ControlSocket.
  server::ControlSocket::Protocol Protocol();

  // Options is the ControlSocket's: a request unfinished after 15 s (as
  // toxiproxy's read timeout) is answered 408 and closed; up to 16 MiB of
  // answers may wait for a slow reader.
  static server::ControlSocket::Options SocketOptions();

 private:
  struct ProxyState {
    std::string name, listen, upstream;
    bool enabled = true;
    bool running = false;
    std::vector<Toxic> toxics;
  };
  Response Proxies(const http::Request& r);
  Response OneProxy(const http::Request& r, const std::string& name);
  Response Toxics(const http::Request& r, ProxyState& p);
  Response OneToxic(const http::Request& r, ProxyState& p, const std::string& toxic);
  Response Create(absl::string_view body);
  // PopulateRequest answers POST /populate: 201 {"proxies": [...]}, or the
  // first error, with the proxies made before it once the body was read.
  Response PopulateRequest(absl::string_view body);
  // ParseProxies reads a populate body (each proxy checked, listen
  // defaulted); MakeProxies makes them in order, keeping a proxy whose
  // listen and upstream are unchanged, and appends each made or kept name
  // to `made`, stopping at the first start error.
  absl::StatusOr<std::vector<ProxyState>> ParseProxies(absl::string_view body);
  absl::Status MakeProxies(std::vector<ProxyState> wanted, std::vector<std::string>* made);
  Response Update(ProxyState& p, absl::string_view body);
  Response Reset();
  // Start starts `p` if enabled and not running; Stop stops it if running.
  absl::Status Start(ProxyState& p);
  void Stop(ProxyState& p);
  void PushFaults(const ProxyState& p);
  static void WriteProxy(json::JsonWriter& j, const ProxyState& p);

  ProxyHost* host_;
  std::map<std::string, ProxyState> proxies_;  // By name: GET /proxies lists them sorted, as toxiproxy.
};

}  // namespace ipckit::relay_tool

#endif  // IPCKIT_TOOLS_RELAY_API_H_
