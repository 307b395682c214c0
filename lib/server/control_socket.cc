#include "lib/server/control_socket.h"

#include <sys/socket.h>

#include <utility>

#include "lib/io/fd.h"

namespace ipckit::server {

absl::StatusOr<std::unique_ptr<ControlSocket>> ControlSocket::Listen(const std::string& path) {
  absl::StatusOr<net::SocketAddress> a = net::SocketAddress::Unix(path);
  if (!a.ok()) return a.status();
  absl::StatusOr<net::Listener> l = net::Listener::Listen(*a, {});
  if (!l.ok()) return l.status();
  return std::unique_ptr<ControlSocket>(new ControlSocket(*std::move(l)));
}

absl::Status ControlSocket::Attach(selector::Selector* sel) {
  sel_ = sel;
  return sel_->Register(listener_.fd(), selector::kReadable, this);
}

void ControlSocket::Accept() {
  int fd = ::accept4(listener_.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return;  // The client went away first, or a transient error: the next one is accepted.
  auto c = std::make_unique<Client>();
  c->fd = io::UniqueFd(fd);
  if (!sel_->Register(fd, selector::kReadable, c.get()).ok()) return;
  clients_[c.get()] = std::move(c);
}

bool ControlSocket::Read(Client& c, const Handler& answer) {
  char buf[4096];
  absl::StatusOr<size_t> n = io::ReadOnce(c.fd.get(), absl::MakeSpan(buf), "read control");
  if (!n.ok()) return absl::IsUnavailable(n.status());
  c.line.append(buf, *n);
  for (size_t nl; (nl = c.line.find('\n')) != std::string::npos; c.line.erase(0, nl + 1)) {
    c.unread += answer(absl::string_view(c.line).substr(0, nl)) + "\n";
  }
  if (*n == 0 && !c.line.empty()) c.unread += answer(c.line) + "\n";  // A last line without '\n'.
  if (c.line.size() > kMaxLine) {
    c.unread += "error: line too long\n";
    return false;
  }
  return *n > 0;
}

bool ControlSocket::Flush(Client& c) {
  while (!c.unread.empty()) {
    absl::StatusOr<size_t> n = io::WriteOnce(c.fd.get(), c.unread, "write control");
    if (!n.ok()) return absl::IsUnavailable(n.status());  // Full: later. Else gone.
    c.unread.erase(0, *n);
  }
  return true;
}

void ControlSocket::Drop(Client* c) {
  (void)sel_->Unregister(c->fd.get());
  clients_.erase(c);
}

void ControlSocket::OnEvent(const selector::Event& e, const Handler& answer) {
  if (e.data == this) return Accept();
  auto it = clients_.find(e.data);
  if (it == clients_.end()) return;
  Client& c = *it->second;
  if (c.unread.empty() && (e.events & selector::kReadable) != 0 && !Read(c, answer)) c.closing = true;
  if (!Flush(c) || c.unread.size() > kMaxUnread || (c.closing && c.unread.empty())) return Drop(&c);
  // Answers waiting: watch for room to write them, and read nothing more until they are gone.
  (void)sel_->Modify(c.fd.get(), c.unread.empty() ? selector::kReadable : selector::kWritable, &c);
}

}  // namespace ipckit::server
