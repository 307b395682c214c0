// api_host.h runs the toxiproxy API's proxies (api.h) as relay listeners:
// each proxy a Plan of its own (FROM its listen, TO its upstream, the other
// settings relay was started with), a fault table, and one Worker on a
// thread of its own, the same loop and faults as relay's FROM. Disabling a
// proxy closes its listener and its connections at once, as toxiproxy does.
// Internal to relay. Threads: a WorkerHost is used from one thread (the
// control loop); its workers run on their own.
#ifndef IPCKIT_TOOLS_RELAY_API_HOST_H_
#define IPCKIT_TOOLS_RELAY_API_HOST_H_

#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "tools/relay/api.h"
#include "tools/relay/plan.h"

namespace ipckit::relay_tool {

class WorkerHost : public ProxyHost {
 public:
  // WorkerHost takes its settings (buffers, timeouts, -v) from `base`; -v
  // lines go to `log`, which must outlive it.
  WorkerHost(const Plan& base, std::ostream* log);
  // ~WorkerHost stops every proxy.
  ~WorkerHost() override;

  // Start takes TCP only: "listen 'unix:/x': an API proxy listens on TCP
  // HOST:PORT" (kInvalidArgument); a listen or resolve error as relay's.
  absl::StatusOr<std::string> Start(const std::string& name, const std::string& listen, const std::string& upstream,
                                    const std::vector<Fault>& faults) override;
  void Stop(const std::string& name) override;
  void SetFaults(const std::string& name, const std::vector<Fault>& faults) override;

 private:
  struct Instance;
  Plan base_;
  std::ostream* log_;
  std::map<std::string, std::unique_ptr<Instance>> running_;
};

}  // namespace ipckit::relay_tool

#endif  // IPCKIT_TOOLS_RELAY_API_HOST_H_
