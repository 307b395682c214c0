// relay_api_fuzzer: relay's toxiproxy API (tools/relay/api.h) over any
// bytes a client may send, as HTTP on one connection, with a host that
// starts nothing. Checked besides memory safety: every reply is an HTTP/1.1
// response, each takes some input or closes, and the proxies the API
// lists are the ones its host runs.
#include <stddef.h>
#include <stdint.h>

#include <cstdlib>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tools/relay/api.h"

namespace {

using ipckit::relay_tool::Fault;

class NullHost : public ipckit::relay_tool::ProxyHost {
 public:
  absl::StatusOr<std::string> Start(const std::string& name, const std::string& listen, const std::string&,
                                    const std::vector<Fault>&) override {
    if (!absl::StrContains(listen, ':')) return absl::InvalidArgumentError("no port");
    running.insert(name);
    return absl::StrCat(listen, "1");
  }
  void Stop(const std::string& name) override { running.erase(name); }
  void SetFaults(const std::string& name, const std::vector<Fault>&) override {
    if (!running.count(name)) std::abort();  // Faults only for a running proxy.
  }
  std::set<std::string> running;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  NullHost host;
  {
    ipckit::relay_tool::ToxiproxyApi api(&host);
    ipckit::server::ControlSocket::Protocol protocol = api.Protocol();
    std::string input(reinterpret_cast<const char*>(data), size);
    for (int turns = 0; turns < 256; ++turns) {
      std::optional<ipckit::server::ControlSocket::Reply> r = protocol(input, true);
      if (!r) break;
      if (!absl::StartsWith(r->bytes, "HTTP/1.1 ") && !r->bytes.empty()) std::abort();
      if (r->consumed == 0 && !r->close) std::abort();
      if (r->consumed > input.size()) std::abort();
      input.erase(0, r->consumed);
      if (r->close || input.empty()) break;
    }
  }
  if (!host.running.empty()) std::abort();  // The API stops what it started.
  return 0;
}
