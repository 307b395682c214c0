#include "tools/relay/control_server.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <utility>

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
  auto c = std::make_unique<Client>();
  c->fd = io::UniqueFd(fd);
  clients_[fd] = std::move(c);
  return fd;
}

short ControlServer::Events(int fd) const {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return 0;
  return it->second->unread.empty() ? POLLIN : POLLOUT;
}

bool ControlServer::Flush(Client& c) {
  while (!c.unread.empty()) {
    absl::StatusOr<size_t> n = io::WriteOnce(c.fd.get(), c.unread, "write control");
    if (!n.ok()) return absl::IsUnavailable(n.status());  // Full: later. Else gone.
    c.unread.erase(0, *n);
  }
  return !c.closing;
}

void ControlServer::Drop(int fd) { clients_.erase(fd); }

bool ControlServer::Serve(int fd, short revents, FaultTable& table, const std::function<std::string()>& stats) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return false;
  Client& c = *it->second;
  bool gone = false;
  if (c.unread.empty() && (revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
    char buf[4096];
    absl::StatusOr<size_t> n = io::ReadOnce(fd, absl::MakeSpan(buf), "read control");
    gone = !n.ok() ? !absl::IsUnavailable(n.status()) : *n == 0;
    if (n.ok()) c.line.append(buf, *n);
    for (size_t nl; (nl = c.line.find('\n')) != std::string::npos; c.line.erase(0, nl + 1)) {
      c.unread += ExecuteControl(absl::string_view(c.line).substr(0, nl), table, stats) + "\n";
    }
    if (gone && !c.line.empty()) c.unread += ExecuteControl(c.line, table, stats) + "\n";  // A last line without '\n'.
    if (c.line.size() > 65536) {
      c.unread += "error: line too long\n";
      gone = true;
    }
  }
  c.closing = c.closing || gone;
  bool keep = Flush(c) && c.unread.size() <= kMaxUnread;
  if (!keep || (c.closing && c.unread.empty())) {
    Drop(fd);
    return false;
  }
  return true;
}

absl::Status ServeSignalsAndControl(signal::SignalSource& sigs, ControlServer* control, FaultTable& table,
                                    const std::function<std::string()>& stats, const std::function<void()>& wake,
                                    const std::function<void()>& on_usr1) {
  std::vector<int> clients;
  for (;;) {
    std::vector<struct pollfd> fds = {{sigs.fd(), POLLIN, 0}};
    if (control != nullptr) fds.push_back({control->fd(), POLLIN, 0});
    for (int c : clients) fds.push_back({c, control->Events(c), 0});
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
      if (fds[i].revents == 0 || control->Serve(fds[i].fd, fds[i].revents, table, stats)) still.push_back(fds[i].fd);
      if ((fds[i].revents & POLLIN) != 0) wake();
    }
    clients = std::move(still);
    if (fds[1].revents != 0) {
      int c = control->Accept();
      if (c >= 0) clients.push_back(c);
    }
  }
}

}  // namespace ipckit::relay_tool
