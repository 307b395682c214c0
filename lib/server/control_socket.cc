#include "lib/server/control_socket.h"

#include <sys/socket.h>

#include <utility>

#include "lib/io/fd.h"

namespace ipckit::server {

ControlSocket::Protocol ControlSocket::Lines(Handler answer) {
  return [answer = std::move(answer)](absl::string_view input, bool eof) -> std::optional<Reply> {
    size_t nl = input.find('\n');
    if (nl != absl::string_view::npos && nl <= kMaxLine) return Reply{nl + 1, answer(input.substr(0, nl)) + "\n"};
    if (nl != absl::string_view::npos || input.size() > kMaxLine) return Reply{0, "error: line too long\n", true};
    if (eof && !input.empty()) return Reply{input.size(), answer(input) + "\n"};  // A last line without '\n'.
    return std::nullopt;
  };
}

absl::StatusOr<std::unique_ptr<ControlSocket>> ControlSocket::Listen(const std::string& path, Protocol protocol) {
  absl::StatusOr<net::SocketAddress> a = net::SocketAddress::Unix(path);
  if (!a.ok()) return a.status();
  return Listen(*a, std::move(protocol), {});
}

absl::StatusOr<std::unique_ptr<ControlSocket>> ControlSocket::Listen(const net::SocketAddress& at, Protocol protocol,
                                                                     Options options) {
  absl::StatusOr<net::Listener> l = net::Listener::Listen(at, {});
  if (!l.ok()) return l.status();
  return std::unique_ptr<ControlSocket>(new ControlSocket(*std::move(l), std::move(protocol), std::move(options)));
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

bool ControlSocket::Answer(Client& c, bool eof) {
  while (!c.input.empty() || eof) {
    std::optional<Reply> r = protocol_(c.input, eof);
    if (!r) break;
    c.unread += r->bytes;
    c.input.erase(0, std::min(r->consumed, c.input.size()));
    if (r->close || r->consumed == 0) return false;
  }
  c.since = c.input.empty() ? absl::InfiniteFuture() : std::min(c.since, absl::Now());
  return true;
}

bool ControlSocket::Read(Client& c) {
  char buf[4096];
  absl::StatusOr<size_t> n = io::ReadOnce(c.fd.get(), absl::MakeSpan(buf), "read control");
  if (!n.ok()) return absl::IsUnavailable(n.status());
  c.input.append(buf, *n);
  return Answer(c, *n == 0) && *n > 0;
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
  // What the client sent and no request took is read first (up to 256
  // KiB): close(2) with unread bytes sends a reset, which can destroy the
  // answer still on its way (a 431 to a client sending a huge head).
  char buf[4096];
  for (int i = 0; i < 64 && ::recv(c->fd.get(), buf, sizeof(buf), MSG_DONTWAIT) > 0; ++i) {
  }
  (void)sel_->Unregister(c->fd.get());
  clients_.erase(c);
}

void ControlSocket::Settle(Client& c) {
  if (!Flush(c) || c.unread.size() > options_.max_unread || (c.closing && c.unread.empty())) return Drop(&c);
  // Answers waiting: watch for room to write them, and read nothing more until they are gone.
  (void)sel_->Modify(c.fd.get(), c.unread.empty() ? selector::kReadable : selector::kWritable, &c);
}

void ControlSocket::OnEvent(const selector::Event& e) {
  if (e.data == this) return Accept();
  auto it = clients_.find(e.data);
  if (it == clients_.end()) return;
  Client& c = *it->second;
  if (c.unread.empty() && (e.events & selector::kReadable) != 0 && !Read(c)) c.closing = true;
  Settle(c);
}

absl::Time ControlSocket::Deadline() const {
  absl::Time first = absl::InfiniteFuture();
  for (const auto& [key, c] : clients_) {
    if (!c->closing) first = std::min(first, c->since + options_.request_timeout);
  }
  return first;
}

void ControlSocket::Expire(absl::Time now) {
  std::vector<Client*> late;
  for (const auto& [key, c] : clients_) {
    if (!c->closing && c->since + options_.request_timeout <= now) late.push_back(c.get());
  }
  for (Client* c : late) {
    c->unread += options_.timeout_reply;
    c->input.clear();
    c->closing = true;
    Settle(*c);
  }
}

}  // namespace ipckit::server
