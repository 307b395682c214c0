#include "tools/relay/control_server.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>

#include "lib/io/fd.h"
#include "tools/relay/control.h"

namespace ipckit::relay_tool {

absl::StatusOr<std::unique_ptr<ControlServer>> ControlServer::Listen(const std::string& path) {
  absl::StatusOr<net::SocketAddress> a = net::SocketAddress::Unix(path);
  if (!a.ok()) return a.status();
  absl::StatusOr<net::Listener> l = net::Listener::Listen(*a, {});
  if (!l.ok()) return l.status();
  return std::unique_ptr<ControlServer>(new ControlServer(*std::move(l)));
}

int ControlServer::Accept() {
  int fd = ::accept4(listener_.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return -1;
  clients_.emplace_back(fd);
  pending_[fd] = "";
  return fd;
}

bool ControlServer::Serve(int fd, FaultTable& table, const std::function<std::string()>& stats) {
  char buf[4096];
  absl::StatusOr<size_t> n = io::ReadOnce(fd, absl::MakeSpan(buf), "read control");
  bool gone = !n.ok() ? !absl::IsUnavailable(n.status()) : *n == 0;
  std::string& line = pending_[fd];
  if (n.ok()) line.append(buf, *n);
  std::string answers;
  for (size_t nl; (nl = line.find('\n')) != std::string::npos; line.erase(0, nl + 1)) {
    answers += ExecuteControl(absl::string_view(line).substr(0, nl), table, stats) + "\n";
  }
  if (gone && !line.empty()) answers += ExecuteControl(line, table, stats) + "\n";  // A last line without '\n'.
  if (line.size() > 65536) {
    answers += "error: line too long\n";
    gone = true;
  }
  // Answers are short; a client that does not read them loses them.
  if (!answers.empty()) (void)io::WriteAll(fd, answers, "write control");
  if (!gone) return true;
  pending_.erase(fd);
  clients_.erase(std::remove_if(clients_.begin(), clients_.end(), [fd](const io::UniqueFd& c) { return c.get() == fd; }),
                 clients_.end());
  return false;
}

absl::Status ServeSignalsAndControl(signal::SignalSource& sigs, ControlServer* control, FaultTable& table,
                                    const std::function<std::string()>& stats, const std::function<void()>& wake,
                                    const std::function<void()>& on_usr1) {
  std::vector<int> clients;
  for (;;) {
    std::vector<struct pollfd> fds = {{sigs.fd(), POLLIN, 0}};
    if (control != nullptr) fds.push_back({control->fd(), POLLIN, 0});
    for (int c : clients) fds.push_back({c, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, "poll");
    }
    if (fds[0].revents != 0) {
      absl::StatusOr<std::vector<signal::SignalInfo>> got = sigs.Read();
      if (!got.ok()) return got.status();
      for (const signal::SignalInfo& si : *got) {
        if (si.signo != SIGUSR1) return absl::OkStatus();
        on_usr1();
      }
    }
    if (control == nullptr) continue;
    std::vector<int> still;
    for (size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].revents == 0 || control->Serve(fds[i].fd, table, stats)) still.push_back(fds[i].fd);
      if (fds[i].revents != 0) wake();
    }
    clients = std::move(still);
    if (fds[1].revents != 0) {
      int c = control->Accept();
      if (c >= 0) clients.push_back(c);
    }
  }
}

}  // namespace ipckit::relay_tool
