#include "lib/server/lifecycle.h"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "lib/server/control_socket.h"
#include "lib/io/fd.h"
#include "lib/selector/selector.h"

namespace ipckit::server {

absl::Status Announce(const Readiness& r, std::ostream& out) {
  for (const std::string& line : r.lines) out << line << "\n";
  out.flush();
  absl::Status s;
  if (!r.port_file.empty()) s = io::WriteFileAtomically(r.port_file, absl::StrCat(absl::StrJoin(r.ports, "\n"), "\n"));
  if (r.ready_fd >= 0) {
    if (s.ok()) s = io::WriteAll(r.ready_fd, "1", absl::StrCat("--ready-fd ", r.ready_fd));
    ::close(r.ready_fd);
  }
  return s;
}

absl::StatusOr<signal::SignalSource> TakeSignals() { return signal::SignalSource::Create({SIGTERM, SIGINT, SIGUSR1}); }

absl::Status WaitForStop(signal::SignalSource& sigs, const std::function<void()>& on_usr1,
                         const std::vector<ControlSocket*>& controls) {
  absl::StatusOr<std::unique_ptr<selector::Selector>> sel = selector::Selector::Create();
  if (!sel.ok()) return sel.status();
  absl::Status s = (*sel)->Register(sigs.fd(), selector::kReadable, &sigs);
  for (ControlSocket* c : controls) {
    if (s.ok()) s = c->Attach(sel->get());
  }
  if (!s.ok()) return s;
  for (;;) {
    absl::Time deadline = absl::InfiniteFuture();
    for (ControlSocket* c : controls) deadline = std::min(deadline, c->Deadline());
    absl::StatusOr<std::vector<selector::Event>> ready = (*sel)->Select(deadline);
    if (!ready.ok()) return ready.status();
    for (const selector::Event& e : *ready) {
      if (e.data != &sigs) {
        for (ControlSocket* c : controls) {
          if (c->Owns(e.data)) c->OnEvent(e);
        }
        continue;
      }
      absl::StatusOr<std::vector<signal::SignalInfo>> got = sigs.Read();
      if (!got.ok()) return got.status();
      for (const signal::SignalInfo& si : *got) {
        if (si.signo != SIGUSR1) return absl::OkStatus();
        on_usr1();
      }
    }
    absl::Time now = absl::Now();
    for (ControlSocket* c : controls) c->Expire(now);
  }
}

void StopListening(const std::vector<int>& fds) {
  for (int fd : fds) (void)::shutdown(fd, SHUT_RDWR);
}

}  // namespace ipckit::server
