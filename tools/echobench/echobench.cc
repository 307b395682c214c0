#include "tools/echobench/echobench.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <deque>
#include <memory>
#include <queue>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/io/eintr.h"
#include "lib/io/fd.h"
#include "lib/json/json_writer.h"
#include "lib/io/io_buffer.h"
#include "lib/net/address.h"
#include "lib/net/socket.h"
#include "lib/selector/selector.h"
#include "lib/tls/tls_context.h"
#include "lib/tls/tls_stream.h"

namespace ipckit::echobench {

using ::ipckit::json::JsonWriter;
namespace {

// The bytes sent on a connection are a fixed pattern, read at an offset that
// differs per connection, so a reply crossing connections is caught too.
constexpr size_t kPatternSize = (1 << 16) + 13;

const std::vector<char>& Pattern() {
  static const std::vector<char>* p = [] {
    auto* v = new std::vector<char>(kPatternSize * 2);
    uint64_t x = 0x2545F4914F6CDD1Dull;
    for (size_t i = 0; i < kPatternSize; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      (*v)[i] = (*v)[i + kPatternSize] = static_cast<char>(x);
    }
    return v;
  }();
  return *p;
}

struct Conn {
  int index = 0;
  net::Socket sock;
  std::unique_ptr<tls::TlsStream> tls;  // With --tls; it owns the socket then.
  int fd() const { return tls ? tls->fd() : sock.fd(); }
  uint64_t base = 0;         // Pattern offset of this connection.
  uint64_t sent = 0;         // Bytes written.
  uint64_t to_send = 0;      // Bytes of requests issued.
  uint64_t received = 0;     // Bytes echoed and verified.
  std::deque<absl::Time> started;  // Per request in flight: when it was issued (or due).
  absl::Time next_due;       // Open loop: when the next request is due.
  bool dead = false;
  uint32_t events = 0;
};

const char* At(const Conn& c, uint64_t offset) {
  return Pattern().data() + (c.base + offset) % kPatternSize;
}

class Runner {
 public:
  Runner(const Plan& p, std::ostream& log) : p_(p), o_(p.settings), log_(log) {}

  // Run loads the server for --warmup then --duration and returns what it
  // measured, or the first error that stops the whole run (resolving, the
  // selector, the TLS context); per-connection failures are counted.
  absl::StatusOr<Report> Run() {
    absl::Status s = Setup();
    if (!s.ok()) return s;
    if (o_.connect_only) return ConnectLoop();
    absl::Time start = absl::Now();
    measure_from_ = start + o_.warmup;
    end_ = measure_from_ + o_.duration;
    s = OpenConnections(start);
    if (!s.ok()) return s;
    if (conns_.empty()) return report_;
    s = RequestLoop(start);
    if (!s.ok()) return s;
    report_.elapsed = o_.duration;
    return report_;
  }

  bool progress_ = false;

 private:
  // Setup resolves the target and makes the selector and the TLS context.
  absl::Status Setup() {
    absl::StatusOr<std::vector<net::SocketAddress>> addrs = Addresses();
    if (!addrs.ok()) return addrs.status();
    addrs_ = *addrs;
    absl::StatusOr<std::unique_ptr<selector::Selector>> sel = selector::Selector::Create();
    if (!sel.ok()) return sel.status();
    sel_ = std::move(*sel);
    if (o_.tls) {
      tls::TlsOptions t;
      t.verify = !o_.insecure;
      t.ca_file = o_.ca_file;
      absl::StatusOr<tls::TlsContext> ctx = tls::TlsContext::Client(t);
      if (!ctx.ok()) return ctx.status();
      tls_ = std::make_unique<tls::TlsContext>(*std::move(ctx));
    }
    return absl::OkStatus();
  }

  // OpenConnections connects (and handshakes) -c connections, counting
  // those that fail, and spreads their first requests over one --rate
  // interval.
  absl::Status OpenConnections(absl::Time start) {
    for (int i = 0; i < o_.connections; ++i) {
      auto c = std::make_unique<Conn>();
      c->index = i;
      c->base = static_cast<uint64_t>(i) * 7919;
      c->next_due = start;
      absl::StatusOr<net::Socket> s = net::Connect(addrs_, ConnectOpts());
      if (s.ok() && tls_) {
        absl::StatusOr<std::unique_ptr<tls::TlsStream>> t = Handshake(std::move(*s));
        if (t.ok()) {
          c->tls = *std::move(t);
        } else {
          s = t.status();
        }
      }
      if (!s.ok()) {
        ++report_.connect_errors;
        Error(s.status().message());
        continue;
      }
      if (!c->tls) c->sock = std::move(*s);
      absl::Status st = io::SetNonBlocking(c->fd(), true);
      if (!st.ok()) return st;
      st = sel_->Register(c->fd(), 0, c.get());
      if (!st.ok()) return st;
      conns_.push_back(std::move(c));
    }
    if (o_.rate > 0 && !conns_.empty()) {
      interval_ = absl::Seconds(static_cast<double>(conns_.size()) / o_.rate);
      for (size_t i = 0; i < conns_.size(); ++i) {
        conns_[i]->next_due = start + interval_ * static_cast<double>(i) / static_cast<double>(conns_.size());
      }
    }
    return absl::OkStatus();
  }

  // RequestLoop issues requests and reads echoes until the end, printing a
  // progress line each second with --progress.
  absl::Status RequestLoop(absl::Time start) {
    absl::Time next_progress = start + absl::Seconds(1);
    uint64_t last_requests = 0;
    for (;;) {
      absl::Time now = absl::Now();
      if (now >= end_) return absl::OkStatus();
      for (auto& c : conns_) Issue(*c, now);
      absl::Time deadline = end_;
      if (o_.rate > 0) {
        for (auto& c : conns_) {
          if (!c->dead) deadline = std::min(deadline, c->next_due);
        }
      }
      if (progress_) deadline = std::min(deadline, next_progress);
      if (o_.udp) deadline = std::min(deadline, now + absl::Milliseconds(50));  // Loss checks.
      absl::StatusOr<std::vector<selector::Event>> ready = sel_->Select(deadline);
      if (!ready.ok()) return ready.status();
      now = absl::Now();
      for (const selector::Event& e : *ready) {
        Conn* c = static_cast<Conn*>(e.data);
        if (c->dead) continue;
        if (e.events & selector::kWritable) Write(*c);
        if (!c->dead && (e.events & selector::kReadable)) Read(*c, now);
      }
      if (o_.udp) CheckLost(now);
      if (progress_ && now >= next_progress) {
        uint64_t total = completed_;
        log_ << absl::StrFormat("echobench: %d req/s, %d errors\n", total - last_requests,
                                report_.verify_errors + report_.connect_errors + report_.lost);
        last_requests = total;
        next_progress += absl::Seconds(1);
      }
    }
  }

  // TlsClient wraps `sock` in a TLS client stream, before its handshake.
  absl::StatusOr<std::unique_ptr<tls::TlsStream>> TlsClient(net::Socket sock) {
    tls::TlsClientParams params = tls::TlsClientParams::For(o_.servername.empty() ? p_.host : o_.servername);
    if (o_.insecure && params.verify_name.empty()) params.verify_name = "localhost";
    absl::StatusOr<std::unique_ptr<tls::TlsStream>> t = tls::TlsStream::Client(*tls_, sock.Release(), params);
    if (t.ok()) (*t)->EnableReadAhead();  // Read drains it (HasBufferedInput).
    return t;
  }

  // Handshake runs a TLS client handshake over `sock` within --timeout.
  absl::StatusOr<std::unique_ptr<tls::TlsStream>> Handshake(net::Socket sock) {
    absl::StatusOr<std::unique_ptr<tls::TlsStream>> t = TlsClient(std::move(sock));
    if (!t.ok()) return t.status();
    absl::Status s = (*t)->HandshakeUntil(absl::Now() + o_.timeout);
    if (!s.ok()) return s;
    return t;
  }

  // Send and Receive are send(2) and recv(2) over plain or TLS connections:
  // bytes, 0 at EOF (Receive), or -1 with errno (EAGAIN: would block).
  ssize_t Send(Conn& c, const char* data, size_t n) {
    if (!c.tls) return ::send(c.sock.fd(), data, n, MSG_NOSIGNAL);
    absl::StatusOr<size_t> r = c.tls->Write(absl::string_view(data, n));
    if (r.ok()) return static_cast<ssize_t>(*r);
    errno = absl::IsUnavailable(r.status()) ? EAGAIN : EPIPE;
    tls_error_ = std::string(r.status().message());
    return -1;
  }

  ssize_t Receive(Conn& c, char* buf, size_t n) {
    if (!c.tls) return ::recv(c.sock.fd(), buf, n, 0);
    absl::StatusOr<size_t> r = c.tls->Read(absl::MakeSpan(buf, n));
    if (r.ok()) return static_cast<ssize_t>(*r);
    errno = absl::IsUnavailable(r.status()) ? EAGAIN : ECONNRESET;
    tls_error_ = std::string(r.status().message());
    return -1;
  }

  net::ConnectOptions ConnectOpts() const {
    net::ConnectOptions c;
    c.type = o_.udp ? SOCK_DGRAM : SOCK_STREAM;
    c.timeout = o_.timeout;
    return c;
  }

  // Addresses returns the target's addresses: the socket path, or what
  // the host resolves to.
  absl::StatusOr<std::vector<net::SocketAddress>> Addresses() {
    if (o_.unix_socket) {
      absl::StatusOr<net::SocketAddress> a = net::SocketAddress::Unix(o_.target);
      if (!a.ok()) return a.status();
      return std::vector<net::SocketAddress>{*a};
    }
    net::ResolveOptions r;
    r.socktype = o_.udp ? SOCK_DGRAM : SOCK_STREAM;
    return net::Resolve(p_.host, p_.port, r);
  }

  void Error(absl::string_view what) {
    if (report_.first_error.empty()) report_.first_error = std::string(what);
  }

  void Kill(Conn& c, absl::string_view why) {
    if (c.dead) return;
    c.dead = true;
    ++report_.verify_errors;
    Error(absl::StrCat("connection ", c.index, ": ", why));
    sel_->Unregister(c.fd()).IgnoreError();
  }

  void Watch(Conn& c) {
    uint32_t ev = selector::kReadable;
    if (c.sent < c.to_send) ev |= selector::kWritable;
    if (ev != c.events) {
      c.events = ev;
      sel_->Modify(c.fd(), ev, &c).IgnoreError();
    }
  }

  // Issue starts the requests that are due: up to --depth in flight (closed
  // loop), or every one whose time has come (open loop).
  void Issue(Conn& c, absl::Time now) {
    if (c.dead) return;
    if (o_.rate > 0) {
      while (c.next_due <= now && c.started.size() < 100000) {
        c.started.push_back(c.next_due);  // Latency counts from when it was due.
        c.to_send += o_.message;
        c.next_due += interval_;
      }
    } else {
      while (c.started.size() < static_cast<size_t>(o_.depth)) {
        c.started.push_back(now);
        c.to_send += o_.message;
      }
    }
    if (c.sent < c.to_send) Write(c);
    if (!c.dead) Watch(c);
  }

  void Write(Conn& c) {
    while (c.sent < c.to_send) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(c.to_send - c.sent, o_.udp ? o_.message : 1 << 20));
      n = std::min(n, kPatternSize);  // The doubled pattern allows this span from any offset.
      ssize_t w = io::RetryEintr([&] { return Send(c, At(c, c.sent), n); });
      if (w < 0 && errno == EAGAIN) break;
      if (w < 0) {
        Kill(c, c.tls ? tls_error_ : absl::StrCat("send: ", strerror(errno)));
        return;
      }
      c.sent += static_cast<uint64_t>(w);
    }
    Watch(c);
  }

  void Read(Conn& c, absl::Time now) {
    for (;;) {
      ssize_t n = io::RetryEintr([&] { return Receive(c, buf_.data(), buf_.size()); });
      if (n < 0 && errno == EAGAIN) break;
      if (n < 0) {
        Kill(c, c.tls ? tls_error_ : absl::StrCat("recv: ", strerror(errno)));
        return;
      }
      if (n == 0) {
        Kill(c, absl::StrCat("closed by the server after ", c.received, " of ", c.sent, " bytes"));
        return;
      }
      if (o_.udp && static_cast<size_t>(n) != o_.message) {
        Kill(c, absl::StrCat("datagram of ", n, " bytes, sent ", o_.message));
        return;
      }
      if (c.received + static_cast<uint64_t>(n) > c.sent) {
        Kill(c, "more bytes echoed than sent");
        return;
      }
      if (std::memcmp(buf_.data(), At(c, c.received), static_cast<size_t>(n)) != 0) {
        Kill(c, absl::StrCat("corrupted echo within bytes ", c.received, "..", c.received + n));
        return;
      }
      uint64_t before = c.received / o_.message;
      c.received += static_cast<uint64_t>(n);
      for (uint64_t done = c.received / o_.message; before < done; ++before) {
        absl::Time started = c.started.front();
        c.started.pop_front();
        ++completed_;
        if (now >= measure_from_ && now < end_) {
          ++report_.requests;
          report_.bytes += o_.message;
          report_.latency.Record(now - started);
        }
      }
      if (o_.udp) break;
      // Stop once nothing is left in user space, skipping the recv that would
      // only say EAGAIN (epoll is level-triggered: bytes still in the socket,
      // or arriving meanwhile, are a new event). A plain socket that filled
      // less than the buffer is drained; TLS may hold records (read-ahead)
      // or decrypted bytes.
      if (c.tls ? !c.tls->HasBufferedInput() : static_cast<size_t>(n) < buf_.size()) break;
    }
    Issue(c, now);
  }

  // CheckLost counts UDP requests with no reply within --timeout as lost and
  // moves on, so one lost datagram does not stall the connection.
  void CheckLost(absl::Time now) {
    for (auto& c : conns_) {
      if (c->dead || c->started.empty() || now - c->started.front() < o_.timeout) continue;
      ++report_.lost;
      Error(absl::StrCat("connection ", c->index, ": no reply within ", absl::FormatDuration(o_.timeout)));
      c->started.pop_front();
      c->received += o_.message;
    }
  }

  // ConnectLoop connects (and handshakes, with --tls) and closes in a loop;
  // with --tls, -c handshakes are in flight at once (HandshakeLoop).
  absl::StatusOr<Report> ConnectLoop() {
    if (tls_ && o_.connections > 1) return HandshakeLoop();
    absl::Time start = absl::Now();
    measure_from_ = start + o_.warmup;
    end_ = measure_from_ + o_.duration;
    for (absl::Time now = start; now < end_; now = absl::Now()) {
      absl::Time t0 = absl::Now();
      absl::StatusOr<net::Socket> s = net::Connect(addrs_, ConnectOpts());
      absl::Status failed = s.status();
      if (s.ok() && tls_) {
        absl::StatusOr<std::unique_ptr<tls::TlsStream>> t = Handshake(std::move(*s));
        failed = t.status();
        if (t.ok()) (void)(*t)->CloseWrite();  // close_notify, then the socket closes.
      }
      if (!failed.ok()) {
        ++report_.connect_errors;
        Error(failed.message());
        continue;
      }
      absl::Time t1 = absl::Now();
      if (t1 >= measure_from_) {
        ++report_.requests;
        report_.latency.Record(t1 - t0);
      }
    }
    report_.elapsed = o_.duration;
    return report_;
  }

  // Handshaking is one of HandshakeLoop's connections in flight.
  struct Handshaking {
    std::unique_ptr<tls::TlsStream> tls;
    absl::Time started;
  };

  // HandshakeLoop keeps -c TLS handshakes in flight on the selector, so the
  // client's and the server's work overlap as with many real clients: each
  // completed one sends close_notify, closes, and a new one takes its place.
  absl::StatusOr<Report> HandshakeLoop() {
    absl::Time start = absl::Now();
    measure_from_ = start + o_.warmup;
    end_ = measure_from_ + o_.duration;
    std::vector<Handshaking> slots(static_cast<size_t>(o_.connections));
    auto finish = [&](Handshaking& h, const absl::Status& failed) {
      sel_->Unregister(h.tls->fd()).IgnoreError();
      absl::Time now = absl::Now();
      if (failed.ok()) {
        (void)h.tls->CloseWrite();  // close_notify, then the socket closes.
        if (now >= measure_from_ && now < end_) {
          ++report_.requests;
          report_.latency.Record(now - h.started);
        }
      } else {
        ++report_.connect_errors;
        Error(failed.message());
      }
      h.tls.reset();
    };
    // Advance runs the handshake's next step: done, failed, or waiting on
    // the selector for what it needs.
    auto advance = [&](Handshaking& h) {
      absl::Status s = h.tls->Handshake();
      if (absl::IsUnavailable(s)) {
        s = sel_->Modify(h.tls->fd(), h.tls->HandshakeWaitsFor(), &h);
        if (s.ok()) return;
      }
      finish(h, s);
    };
    auto begin = [&](Handshaking& h) {
      h.started = absl::Now();
      absl::StatusOr<net::Socket> sock = net::Connect(addrs_, ConnectOpts());
      absl::StatusOr<std::unique_ptr<tls::TlsStream>> t =
          sock.ok() ? TlsClient(*std::move(sock)) : absl::StatusOr<std::unique_ptr<tls::TlsStream>>(sock.status());
      if (!t.ok()) {
        ++report_.connect_errors;
        Error(t.status().message());
        return;
      }
      h.tls = *std::move(t);
      absl::Status s = sel_->Register(h.tls->fd(), 0, &h);
      if (!s.ok()) {
        finish(h, s);
        return;
      }
      advance(h);
    };
    // After the end, the handshakes in flight finish (uncounted) rather
    // than being cut off, which the server would count as failures.
    for (absl::Time now = start;; now = absl::Now()) {
      absl::Time deadline = now < end_ ? end_ : absl::InfiniteFuture();
      bool in_flight = false;
      for (Handshaking& h : slots) {
        if (h.tls && now - h.started >= o_.timeout) {
          finish(h, absl::DeadlineExceededError("handshake: timed out"));
        }
        if (!h.tls && now < end_) begin(h);
        if (h.tls) {
          deadline = std::min(deadline, h.started + o_.timeout);
          in_flight = true;
        }
      }
      if (now >= end_ && !in_flight) break;
      absl::StatusOr<std::vector<selector::Event>> ready = sel_->Select(deadline);
      if (!ready.ok()) return ready.status();
      for (const selector::Event& e : *ready) {
        Handshaking* h = static_cast<Handshaking*>(e.data);
        if (h != nullptr && h->tls) advance(*h);
      }
    }
    report_.elapsed = o_.duration;
    return report_;
  }

  const Plan& p_;
  const Settings& o_;
  std::ostream& log_;
  std::vector<net::SocketAddress> addrs_;
  std::unique_ptr<tls::TlsContext> tls_;
  std::string tls_error_;  // The last TLS failure, for Kill's message.
  std::unique_ptr<selector::Selector> sel_;
  std::vector<std::unique_ptr<Conn>> conns_;
  absl::Time measure_from_, end_;
  absl::Duration interval_;
  uint64_t completed_ = 0;
  Report report_;
  io::IoBuffer buf_{1 << 16};  // Placed for fast kernel copies (lib/io/io_buffer.h).
};

}  // namespace

absl::StatusOr<Plan> Validate(const Options& o) {
  if (o.target.empty()) return absl::InvalidArgumentError("missing target address");
  if (o.connections < 1) return absl::InvalidArgumentError("-c must be at least 1");
  if (o.message < 1) return absl::InvalidArgumentError("-m must be at least 1 byte");
  if (o.udp && o.message > 65507) return absl::InvalidArgumentError("-m is at most 65507 with -u");
  if (o.depth < 1) return absl::InvalidArgumentError("--depth must be at least 1");
  if (o.udp && o.depth != 1) return absl::InvalidArgumentError("--depth must be 1 with -u");
  double rate = 0;
  if (!absl::SimpleAtod(o.rate_text, &rate)) {
    return absl::InvalidArgumentError("--rate: invalid number '" + o.rate_text + "'");
  }
  if (rate < 0) return absl::InvalidArgumentError("--rate must not be negative");
  if (o.duration <= absl::ZeroDuration()) return absl::InvalidArgumentError("--duration must be positive");
  if (o.connect_only && (o.udp || rate > 0)) {
    return absl::InvalidArgumentError("--connect-only cannot be used with -u or --rate");
  }
  if (o.tls && o.udp) return absl::InvalidArgumentError("--tls cannot be used with -u");
  if (!o.tls && o.tls_client.given()) return o.tls_client.NotFor("--tls");
  absl::StatusOr<cli::TlsClientPlan> client = o.tls_client.Validate();
  if (!client.ok()) return client.status();
  Plan p;
  p.settings = static_cast<const Settings&>(o);
  p.settings.rate = rate;
  p.settings.insecure = client->insecure;
  p.settings.ca_file = client->options.ca_file;
  p.settings.servername = client->servername;
  if (o.unix_socket) {
    absl::StatusOr<net::SocketAddress> a = net::SocketAddress::Unix(o.target);
    if (!a.ok()) return absl::InvalidArgumentError(a.status().message());
    return p;
  }
  absl::StatusOr<net::HostPort> hp = net::SplitHostPort(o.target);
  absl::StatusOr<uint16_t> port = hp.ok() ? net::ParsePort(hp->port) : hp.status();
  if (!port.ok()) return absl::InvalidArgumentError(port.status().message());
  p.host = hp->host;
  p.port = *port;
  return p;
}

absl::StatusOr<Report> Measure(const Plan& p, std::ostream& log) {
  Runner r(p, log);
  r.progress_ = p.settings.progress || ::isatty(STDERR_FILENO);
  return r.Run();
}

absl::Status Run(const Plan& p, std::ostream& out, std::ostream& log) {
  if (p.settings.tls && p.settings.insecure) {
    log << "echobench: warning: --insecure: the server's certificate is not verified\n";
  }
  absl::StatusOr<Report> r = Measure(p, log);
  if (!r.ok()) return r.status();
  out << Format(p.settings, *r);
  bool clean = r->connect_errors == 0 && r->verify_errors == 0 && r->lost == 0;
  return cli::ExitWith(clean ? cli::kExitOk : cli::kExitFailure);  // The report names the errors.
}

std::string Format(const Settings& o, const Report& r) {
  double secs = absl::ToDoubleSeconds(r.elapsed);
  double rps = secs > 0 ? static_cast<double>(r.requests) / secs : 0;
  double mbps = secs > 0 ? static_cast<double>(r.bytes) / secs / 1e6 : 0;
  auto us = [](absl::Duration d) { return absl::ToDoubleMicroseconds(d); };
  const Histogram& h = r.latency;
  if (o.json) {
    JsonWriter j;
    j.BeginObject()
        .Key("target").String(o.target)
        .Key("transport").String(o.udp ? "udp" : o.unix_socket ? "unix" : "tcp")
        .Key("connections").Int(o.connections)
        .Key("message").Int(o.message)
        .Key("depth").Int(o.depth)
        .Key("rate").Double(o.rate, 6)
        .Key("seconds").Double(secs, 3)
        .Key("requests").Int(r.requests)
        .Key("requests_per_second").Double(rps, 1)
        .Key("mb_per_second").Double(mbps, 3)
        .Key("latency_us").BeginObject()
        .Key("mean").Double(us(h.mean()), 1)
        .Key("p50").Double(us(h.Percentile(50)), 1)
        .Key("p90").Double(us(h.Percentile(90)), 1)
        .Key("p99").Double(us(h.Percentile(99)), 1)
        .Key("p99_9").Double(us(h.Percentile(99.9)), 1)
        .Key("max").Double(us(h.max()), 1)
        .EndObject()
        .Key("connect_errors").Int(r.connect_errors)
        .Key("verify_errors").Int(r.verify_errors)
        .Key("lost").Int(r.lost)
        .Key("tls").Bool(o.tls)
        .Key("mode").String(o.connect_only ? (o.tls ? "handshakes" : "connects") : "requests")
        .EndObject();
    return j.str() + "\n";
  }
  std::string out = absl::StrFormat(
      "echobench: %s%s %s, %d connections, %d-byte messages, depth %d%s, %.1fs\n"
      "%s: %d (%.0f/s)%s\n"
      "latency: mean %.1fus p50 %.1fus p90 %.1fus p99 %.1fus p99.9 %.1fus max %.1fus\n"
      "errors: connect %d, verify %d, lost %d\n",
      o.udp ? "udp" : o.unix_socket ? "unix" : "tcp", o.tls ? "+tls" : "", o.target, o.connections, o.message, o.depth,
      o.rate > 0 ? absl::StrFormat(", rate %g/s", o.rate) : "", secs,
      o.connect_only ? (o.tls ? "handshakes" : "connects") : "requests", r.requests, rps,
      o.connect_only ? "" : absl::StrFormat(", %.1f MB/s each way", mbps), us(h.mean()),
      us(h.Percentile(50)), us(h.Percentile(90)), us(h.Percentile(99)), us(h.Percentile(99.9)),
      us(h.max()), r.connect_errors, r.verify_errors, r.lost);
  if (!r.first_error.empty()) absl::StrAppend(&out, "first error: ", r.first_error, "\n");
  return out;
}

}  // namespace ipckit::echobench
