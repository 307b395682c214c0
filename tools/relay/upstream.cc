// upstream.cc: opening TO for a client (worker.h): the client's TLS
// handshake first when FROM is tls:, then a non-blocking connect to each
// resolved address in turn, the TLS handshake and pin check for a tls: TO,
// or a child process for exec: and sh:.
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "lib/io/fd.h"
#include "lib/tls/cert_info.h"
#include "lib/tls/tls_stream.h"
#include "tools/relay/stdio.h"
#include "tools/relay/worker.h"

namespace ipckit::relay_tool {

void Worker::ClientHandshake(Session* s, absl::Time now) {
  auto* t = static_cast<tls::TlsStream*>(s->client.get());
  absl::Status st = t->Handshake();
  if (absl::IsUnavailable(st)) {
    Watch(s, false, t->HandshakeWaitsFor());
    return;
  }
  if (!st.ok()) {
    Add(counters_.client_handshake_failures, 1);
    Close(s, true, absl::StrCat("client ", st.message()));
    return;
  }
  Watch(s, false, 0);
  OpenUpstream(s, now);
}

// OpenUpstream starts the child of an exec: TO, or the first connect.
void Worker::OpenUpstream(Session* s, absl::Time now) {
  if (plan_.to.transport != Transport::kExec) {
    s->state = Session::State::kConnecting;
    s->deadline = now + plan_.connect_timeout;
    Schedule(s, s->deadline);
    ConnectNext(s, now);
    return;
  }
  absl::StatusOr<ExecUpstream> e = StartExec(plan_.to.argv);
  if (!e.ok()) {
    UpstreamFailed(s, e.status());
    return;
  }
  s->child = std::move(e->child);
  (void)io::SetNonBlocking(e->socket.get(), true);
  s->upstream = std::make_unique<io::FdStream>(std::move(e->socket), "server", io::FdStream::Kind::kSocket);
  StartRelay(s, now);
}

// ConnectNext starts connecting to the next resolved address; a failure at
// once moves on, and after the last address the client is turned away.
void Worker::ConnectNext(Session* s, absl::Time now) {
  absl::Status last = absl::NotFoundError(absl::StrCat("connect ", Describe(plan_.to), ": no addresses"));
  const std::vector<net::SocketAddress>& addresses = plan_.proxy ? plan_.loaded.proxy_addresses : plan_.loaded.to_addresses;
  while (s->next_address < addresses.size()) {
    const net::SocketAddress& a = addresses[s->next_address++];
    absl::StatusOr<net::Socket> sock = net::StartConnect(a, SOCK_STREAM, {});
    if (!sock.ok()) {
      last = sock.status();
      continue;
    }
    if (plan_.nodelay) (void)net::SetNoDelay(sock->fd());  // A small request is not held for an ACK.
    if (s->upstream_registered) Forget(s, true);
    s->upstream = std::make_unique<io::FdStream>(sock->Release(), "server", io::FdStream::Kind::kSocket);
    s->connecting_to = a;
    Watch(s, true, selector::kWritable);
    return;
  }
  (void)now;
  UpstreamFailed(s, last);
}

void Worker::OnConnected(Session* s, absl::Time now) {
  absl::Status why = net::FinishConnect(s->upstream->fd(), s->connecting_to);
  if (!why.ok()) {
    if (s->next_address < (plan_.proxy ? plan_.loaded.proxy_addresses : plan_.loaded.to_addresses).size()) {
      ConnectNext(s, now);
    } else {
      UpstreamFailed(s, why);
    }
    return;
  }
  if (plan_.proxy) {
    StartProxy(s);
    return;
  }
  if (plan_.to.transport != Transport::kTls) {
    StartRelay(s, now);
    return;
  }
  StartUpstreamTls(s, now);
}

// StartProxy asks the proxy for a tunnel to TO on a thread of its own,
// which posts the result to ProxyResults. The thread works on a duplicate
// of the socket, so closing the session meanwhile cannot hand its number
// to another connection under the thread's feet.
void Worker::StartProxy(Session* s) {
  Forget(s, true);
  s->state = Session::State::kProxy;
  io::UniqueFd fd(::dup(s->upstream->fd()));
  if (!fd) {
    UpstreamFailed(s, absl::ErrnoToStatus(errno, "dup"));
    return;
  }
  net::ProxyRequest req{plan_.to.host, plan_.to.port, plan_.proxy_user, plan_.proxy_password};
  proxy_threads_.fetch_add(1);
  std::thread([this, id = s->id, fd = std::move(fd), req, deadline = s->deadline] {
    absl::Status st = net::ProxyConnect(fd.get(), plan_.proxy_protocol, req, deadline);
    {
      std::lock_guard<std::mutex> lock(proxy_mu_);
      proxy_done_.emplace_back(id, st);
    }
    Wake();
    proxy_threads_.fetch_sub(1);
  }).detach();
}

void Worker::ProxyResults(absl::Time now) {
  std::vector<std::pair<uint64_t, absl::Status>> done;
  {
    std::lock_guard<std::mutex> lock(proxy_mu_);
    done.swap(proxy_done_);
  }
  for (auto& [id, st] : done) {
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second->state != Session::State::kProxy) continue;  // Timed out meanwhile.
    Session* s = it->second.get();
    if (!st.ok()) {
      UpstreamFailed(s, st);
    } else if (plan_.to.transport == Transport::kTls) {
      StartUpstreamTls(s, now);
    } else {
      StartRelay(s, now);
    }
  }
}

// StartUpstreamTls runs a client handshake with TO over the connected socket.
void Worker::StartUpstreamTls(Session* s, absl::Time now) {
  Forget(s, true);
  auto* plain = static_cast<io::FdStream*>(s->upstream.get());
  io::UniqueFd owned(::dup(plain->fd()));
  s->upstream.reset();
  tls::TlsClientParams params;
  params.server_name = plan_.server_name;
  params.verify_name = plan_.verify_name;
  absl::StatusOr<std::unique_ptr<tls::TlsStream>> t =
      tls::TlsStream::Client(*plan_.loaded.client_tls, std::move(owned), params, "server");
  if (!t.ok()) {
    UpstreamFailed(s, t.status());
    return;
  }
  (*t)->EnableReadAhead();
  s->upstream = *std::move(t);
  s->state = Session::State::kUpstreamHandshake;
  UpstreamHandshake(s, now);
}

void Worker::UpstreamHandshake(Session* s, absl::Time now) {
  auto* t = static_cast<tls::TlsStream*>(s->upstream.get());
  absl::Status st = t->Handshake();
  if (absl::IsUnavailable(st)) {
    Watch(s, true, t->HandshakeWaitsFor());
    return;
  }
  if (st.ok()) st = tls::CheckSpkiPins(t->ssl(), plan_.pins);
  if (!st.ok()) {
    UpstreamFailed(s, st);
    return;
  }
  StartRelay(s, now);
}


// UpstreamFailed counts the failure, logs it (always: the operator needs to
// see why clients are turned away) and closes the client with a reset, or a
// FIN with --on-connect-failure=close.
void Worker::UpstreamFailed(Session* s, const absl::Status& why) {
  Add(counters_.upstream_failures, 1);
  Log(absl::StrCat(s->peer.ToString(), ": ", why.message()));
  Close(s, plan_.reset_on_connect_failure, "");
}

}  // namespace ipckit::relay_tool
