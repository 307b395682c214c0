#include "tools/tlsprobe/enumerate.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/io/eintr.h"
#include "lib/io/unique_fd.h"
#include "lib/selector/selector.h"
#include "lib/tls/client_hello.h"
#include "lib/tls/registry.h"
#include "lib/tls/server_flight.h"
#include "lib/tls/tls_context.h"

namespace ipckit::tlsprobe {
namespace {

using tls::ClientHelloSpec;
using tls::ServerFlight;

// HelloRunner sends ClientHellos to one address on one selector. Each
// hello's callback gets what the server answered (a ServerFlight;
// kIncomplete with an error when connecting or reading failed or timed out)
// and may Add more hellos: Run returns when none is queued or in flight.
//
// It is gentle with a server that sheds load: it starts with kStartWindow
// connections at once and grows by one per answer up to `concurrency` (so
// a listen backlog of 10 is never overrun); a hello whose connection was
// reset or refused before any answer is tried again kRetries times, 50 ms
// then twice as long apart, with one connection at a time from then on;
// one that never gets an answer is counted (unanswered()), not read as a
// refusal. A connect still pending well past the slowest one seen (3x, plus
// 5 ms) is a SYN the server's full accept queue dropped, which the kernel
// would send again only after a second: it is abandoned and made again at
// once, and the window halves (once for the connects one burst overran)
// and stops growing there (gnutls-serv listens with a backlog of 10: its
// enumeration took 1.0 s, and 0.04 s so).
class HelloRunner {
 public:
  using Done = std::function<void(const ServerFlight&)>;
  static constexpr int kStartWindow = 4;
  static constexpr int kRetries = 3;

  HelloRunner(const net::SocketAddress& addr, const EnumerateOptions& o) : addr_(addr), o_(o) {}

  void Add(ClientHelloSpec spec, Done done) {
    spec.server_name = o_.sni;
    queue_.push_back({std::move(spec), std::move(done), 0});
  }

  absl::Status Run() {
    if (!sel_) {
      absl::StatusOr<std::unique_ptr<selector::Selector>> sel = selector::Selector::Create();
      if (!sel.ok()) return sel.status();
      sel_ = *std::move(sel);
    }
    while (!queue_.empty() || !active_.empty() || !later_.empty()) {
      absl::Time now = absl::Now();
      while (!later_.empty() && later_.begin()->first <= now) {  // Retries now due.
        queue_.push_front(std::move(later_.begin()->second));
        later_.erase(later_.begin());
      }
      while (!queue_.empty() && static_cast<int>(active_.size()) < window_) {
        Pending next = std::move(queue_.front());
        queue_.pop_front();
        Start(std::move(next));
      }
      absl::Time until = later_.empty() ? absl::InfiniteFuture() : later_.begin()->first;
      if (active_.empty() && until == absl::InfiniteFuture()) continue;
      absl::StatusOr<std::vector<selector::Event>> events = sel_->Select(until);
      if (!events.ok()) return events.status();
      for (const selector::Event& e : *events) {
        Job* job = static_cast<Job*>(e.data);
        if (job->finished) continue;
        if (e.fd == -1) {
          Expired(job);
        } else {
          Step(job);
        }
      }
      finished_.clear();  // Events of this batch may point at them until here.
    }
    return absl::OkStatus();
  }

  int connections() const { return connections_; }
  // unanswered counts the hellos that never got an answer, retries and all.
  int unanswered() const { return unanswered_; }
  // stalls counts connects abandoned as dropped SYNs; ceiling() is the
  // window they left (the most connections at once from then on).
  int stalls() const { return stalls_; }
  int ceiling() const { return ceiling_; }
  // warnings are the warning alerts any answer carried (not refusals).
  const std::set<uint8_t>& warnings() const { return warnings_; }
  // violations name the answers that broke the protocol (not acceptances).
  const std::set<std::string>& violations() const { return violations_; }

 private:
  // Pending is a hello waiting to be sent: its spec, its callback, and how
  // many times it was tried before.
  struct Pending {
    ClientHelloSpec spec;
    Done done;
    int attempt = 0;
    int stalls = 0;  // Connects abandoned as dropped SYNs.
  };

  struct Job {
    Pending pending;  // To try again with.
    bool reset = false;                    // The connection was reset.
    std::vector<uint16_t> suites, groups;  // What the hello offered, to hold the answer to.
    io::UniqueFd fd;
    std::string hello;
    size_t sent = 0;
    bool connected = false;
    bool finished = false;
    tls::ServerFlightReader reader;
    selector::Selector::TimerId timer = 0;
    absl::Time started, deadline;          // The connect began; the whole hello's deadline.
    bool stall_timer = false;              // The timer is the connect's stall check, not the deadline.
  };

  // Violation names what is wrong with `f` as an answer to job `j`'s
  // hello, or returns "": a choice the hello never offered, or a TLS 1.3
  // ServerHello, which the hello (with no key share) cannot get.
  static std::string Violation(const Job& j, const ServerFlight& f) {
    auto offered = [](const std::vector<uint16_t>& v, uint16_t c) { return std::find(v.begin(), v.end(), c) != v.end(); };
    bool answered = f.kind == ServerFlight::kServerHello || f.kind == ServerFlight::kHelloRetryRequest;
    if (!answered) return "";
    if (!offered(j.suites, f.suite)) {
      return absl::StrCat("a ServerHello choosing suite 0x", absl::Hex(f.suite, absl::kZeroPad4), ", never offered");
    }
    if (f.kind == ServerFlight::kHelloRetryRequest && f.group != 0 && !offered(j.groups, f.group)) {
      return absl::StrCat("a HelloRetryRequest for group 0x", absl::Hex(f.group, absl::kZeroPad4), ", never offered");
    }
    if (f.kind == ServerFlight::kServerHello && f.version >= 0x0304) {
      return "a TLS 1.3 ServerHello, though the hello sent no key share (a HelloRetryRequest was due)";
    }
    return "";
  }

  void Start(Pending pending) {
    auto owned = std::make_unique<Job>();
    Job* j = owned.get();
    j->pending = std::move(pending);
    const ClientHelloSpec& spec = j->pending.spec;
    j->suites = spec.suites;
    j->groups = spec.groups;
    j->hello = tls::BuildClientHello(spec);
    active_[j] = std::move(owned);
    ++connections_;
    j->fd = io::UniqueFd(::socket(addr_.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!j->fd) return Finish(j, absl::StrCat("socket: ", strerror(errno)));
    if (::connect(j->fd.get(), addr_.get(), addr_.size()) != 0 && !io::ConnectPending(errno)) {
      return Finish(j, absl::StrCat("connect: ", strerror(errno)));
    }
    j->started = absl::Now();
    j->deadline = j->started + o_.timeout;
    // Once a connect has been timed, one that takes far longer is stalled.
    absl::Time stall = connect_max_ >= absl::ZeroDuration() && j->pending.stalls < kRetries
                           ? j->started + std::min(connect_max_ * 3 + absl::Milliseconds(5), absl::Milliseconds(900))
                           : absl::InfiniteFuture();
    j->stall_timer = stall < j->deadline;
    j->timer = sel_->AddTimer(std::min(stall, j->deadline), j);
    if (absl::Status s = sel_->Register(j->fd.get(), selector::kWritable, j); !s.ok()) {
      return Finish(j, std::string(s.message()));
    }
  }

  // Step connects, then writes the hello, then reads the answer.
  void Step(Job* j) {
    if (!j->connected) {
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(j->fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) return Finish(j, absl::StrCat("connect: ", strerror(err)));
      j->connected = true;
      connect_max_ = std::max(connect_max_, absl::Now() - j->started);
      if (j->stall_timer) {
        sel_->CancelTimer(j->timer);
        j->timer = sel_->AddTimer(j->deadline, j);
        j->stall_timer = false;
      }
      if (o_.starttls != StarttlsProtocol::kNone) {
        absl::Status s = Starttls(j->fd.get(), o_.starttls, o_.host, absl::Now() + o_.timeout);
        if (!s.ok()) return Finish(j, std::string(s.message()));
      }
    }
    if (j->sent < j->hello.size()) {
      ssize_t n = ::send(j->fd.get(), j->hello.data() + j->sent, j->hello.size() - j->sent, MSG_NOSIGNAL);
      // A reset that comes before the hello is sent is a reset too (the
      // front shed the connection at once): tried again, not a refusal.
      if (n < 0 && (errno == ECONNRESET || errno == EPIPE)) j->reset = true;
      if (n < 0 && !io::WouldBlock(errno)) return Finish(j, absl::StrCat("send: ", strerror(errno)));
      if (n > 0) j->sent += static_cast<size_t>(n);
      if (j->sent == j->hello.size()) (void)sel_->Modify(j->fd.get(), selector::kReadable, j);
      return;
    }
    char buf[16384];
    ssize_t n = ::recv(j->fd.get(), buf, sizeof(buf), 0);
    if (n < 0 && io::WouldBlock(errno)) return;
    if (n < 0 && errno != ECONNRESET) return Finish(j, absl::StrCat("recv: ", strerror(errno)));
    if (n < 0) j->reset = true;
    if (j->reader.Feed(absl::string_view(buf, n > 0 ? static_cast<size_t>(n) : 0))) Finish(j, "");
  }

  // Expired handles job `j`'s timer: a stalled connect is made again (the
  // window halved and capped there), anything else has timed out.
  void Expired(Job* j) {
    if (!j->stall_timer || j->connected) return Finish(j, "timed out");
    j->timer = 0;  // It fired.
    Retire(j);
    // The connects a burst overran stall together: one halving for them.
    if (absl::Now() - last_stall_ > absl::Milliseconds(50)) window_ = std::max(1, window_ / 2);
    last_stall_ = absl::Now();
    ceiling_ = window_;
    ++stalls_;
    Pending again = std::move(j->pending);
    ++again.stalls;
    queue_.push_front(std::move(again));
  }

  // Retire ends job `j`'s connection and timer and moves it from active_ to
  // finished_ (events of this batch may still point at it).
  void Retire(Job* j) {
    j->finished = true;
    if (j->timer != 0) sel_->CancelTimer(j->timer);
    if (j->fd) (void)sel_->Unregister(j->fd.get());
    j->fd.reset();
    auto it = active_.find(j);
    finished_.push_back(std::move(it->second));
    active_.erase(it);
  }

  void Finish(Job* j, std::string error) {
    Retire(j);
    ServerFlight f = j->reader.flight();
    warnings_.insert(f.warnings.begin(), f.warnings.end());
    if (std::string v = Violation(*j, f); !v.empty()) {
      violations_.insert(v);
      f.kind = ServerFlight::kMalformed;  // Not an acceptance.
      f.error = v;
    }
    if (!error.empty()) {
      f.kind = ServerFlight::kIncomplete;
      f.error = std::move(error);
    }
    // Reset or refused before any answer: the server (or a front) shedding
    // load, not refusing the hello. Try again, gently.
    bool shed = f.kind == ServerFlight::kIncomplete && f.error.rfind("the connection ended in", 0) != 0 &&
                (j->reset || !j->connected);
    if (shed && j->pending.attempt < kRetries) {
      window_ = 1;
      Pending again = std::move(j->pending);
      absl::Duration backoff = absl::Milliseconds(50) * (1 << again.attempt);
      ++again.attempt;
      later_.emplace(absl::Now() + backoff, std::move(again));
      return;
    }
    if (shed) {
      ++unanswered_;
      f.error = absl::StrCat("no answer after ", kRetries + 1, " tries (", j->reset ? "reset" : f.error, ")");
    } else {
      window_ = std::min(window_ + 1, std::max(1, std::min(ceiling_, o_.concurrency)));
    }
    j->pending.done(f);
  }

  const net::SocketAddress& addr_;
  const EnumerateOptions& o_;
  std::unique_ptr<selector::Selector> sel_;
  std::deque<Pending> queue_;
  std::multimap<absl::Time, Pending> later_;  // Retries, by when they are due.
  int window_ = kStartWindow;                 // Connections at once, now,
  int ceiling_ = 1 << 30;                     // and the most since a connect stalled,
  absl::Time last_stall_ = absl::InfinitePast();  // which was then.
  absl::Duration connect_max_ = -absl::InfiniteDuration();  // The slowest connect yet (none: negative).
  int unanswered_ = 0;
  int stalls_ = 0;
  std::map<Job*, std::unique_ptr<Job>> active_;
  std::vector<std::unique_ptr<Job>> finished_;
  std::set<uint8_t> warnings_;
  std::set<std::string> violations_;
  int connections_ = 0;
};

constexpr uint16_t kVersions[] = {0x0300, 0x0301, 0x0302, 0x0303, 0x0304};

// Hello is a ClientHello for version `v` offering `suites` and, for groups,
// every group the version can use (TLS 1.3: all, with an empty key share).
ClientHelloSpec Hello(uint16_t v, std::vector<uint16_t> suites) {
  ClientHelloSpec s;
  s.version = v;
  s.suites = std::move(suites);
  for (const tls::GroupInfo& g : tls::Groups()) {
    if (v >= 0x0304 || g.ecdhe_tls12) s.groups.push_back(g.code);
  }
  return s;
}

bool Accepted(const ServerFlight& f, uint16_t v) {
  return (f.kind == ServerFlight::kServerHello || f.kind == ServerFlight::kHelloRetryRequest) && f.version == v;
}

std::string Refusal(const ServerFlight& f) {
  if (f.kind == ServerFlight::kAlert) return tls::AlertName(f.alert);
  if (!f.error.empty()) return f.error;
  return absl::StrCat("answered with ", tls::TlsVersionName(f.version));
}

// State is what Enumerate learns, by code point, before it is named.
struct State {
  std::vector<uint16_t> versions;                        // Accepted, oldest first.
  std::map<uint16_t, std::vector<uint16_t>> order;       // Per version: suites in pick order.

  // Picked is order's list for `v`, empty when the server picked none.
  const std::vector<uint16_t>& Picked(uint16_t v) const {
    static const std::vector<uint16_t> kNone;
    auto it = order.find(v);
    return it == order.end() ? kNone : it->second;
  }
  std::map<uint16_t, bool> server_order;
  uint16_t certificate_curve = 0;   // The leaf's curve, from a TLS <= 1.2 Certificate.
  std::string leaf_der;             // The leaf itself.
  std::string last_refusal;
};

// PreferenceChain offers the suites of version `v` not yet picked; the
// server picks one; again without it, until the server refuses.
void PreferenceChain(HelloRunner& runner, State& st, uint16_t v, std::vector<uint16_t> left) {
  runner.Add(Hello(v, left), [&runner, &st, v, left](const ServerFlight& f) mutable {
    auto it = std::find(left.begin(), left.end(), f.suite);
    if (!Accepted(f, v) || it == left.end()) return;
    st.order[v].push_back(f.suite);
    left.erase(it);
    if (!left.empty()) PreferenceChain(runner, st, v, std::move(left));
  });
}

// VersionsAndSuites runs rounds 1 and 2: which versions, which suites in
// which order, and whether that order is the server's.
absl::Status VersionsAndSuites(HelloRunner& runner, State& st) {
  for (uint16_t v : kVersions) {
    runner.Add(Hello(v, tls::SuitesFor(v)), [&st, v](const ServerFlight& f) {
      if (Accepted(f, v)) {
        st.versions.push_back(v);
        st.order[v].push_back(f.suite);  // The version probe offered every suite: the chain's first pick.
        if (f.certificate_curve != 0) st.certificate_curve = f.certificate_curve;
        if (!f.leaf_der.empty() && st.leaf_der.empty()) st.leaf_der = f.leaf_der;
      } else {
        st.last_refusal = absl::StrCat(tls::TlsVersionName(v), ": ", Refusal(f));
      }
    });
  }
  if (absl::Status s = runner.Run(); !s.ok()) return s;
  std::sort(st.versions.begin(), st.versions.end());
  for (uint16_t v : st.versions) {
    std::vector<uint16_t> left = tls::SuitesFor(v);
    left.erase(std::remove(left.begin(), left.end(), st.order[v].front()), left.end());
    if (!left.empty()) PreferenceChain(runner, st, v, std::move(left));
  }
  if (absl::Status s = runner.Run(); !s.ok()) return s;
  // Reversed, a server that follows the client picks the other end: asked
  // at the newest version with two suites or more, and at the newest below
  // TLS 1.3 (what server_order and server_order_below_13 report).
  uint16_t newest = 0, newest_below_13 = 0;
  for (uint16_t v : st.versions) {
    if (st.order[v].size() < 2) continue;
    newest = v;
    if (v < 0x0304) newest_below_13 = v;
  }
  for (uint16_t v : st.versions) {
    const std::vector<uint16_t>& order = st.order[v];
    if (order.size() < 2 || (v != newest && v != newest_below_13)) continue;
    runner.Add(Hello(v, std::vector<uint16_t>(order.rbegin(), order.rend())),
               [&st, v, first = order.front()](const ServerFlight& f) { st.server_order[v] = f.suite == first; });
  }
  return runner.Run();
}

std::vector<uint16_t> SuitesWhere(const std::vector<uint16_t>& suites, const std::function<bool(const tls::SuiteInfo&)>& keep) {
  std::vector<uint16_t> out;
  for (uint16_t code : suites) {
    const tls::SuiteInfo* s = tls::FindSuite(code);
    if (s != nullptr && keep(*s)) out.push_back(code);
  }
  return out;
}

// AddGroupProbes tries each group: at TLS 1.3 alone (the HelloRetryRequest
// names it), else with the ECDHE suites of the newest older version (the
// ServerKeyExchange names it). Below TLS 1.3 an ECDSA certificate is usable
// only if the client lists its curve, so a group is tried alone and again
// with the certificate's curve after it: accepted if either picks it.
void AddGroupProbes(HelloRunner& runner, const State& st, Enumeration& e, std::map<uint16_t, bool>& groups) {
  uint16_t v = 0;
  std::vector<uint16_t> suites;
  if (!st.Picked(0x0304).empty()) {
    v = 0x0304;
    suites = st.Picked(0x0304);
  } else {
    for (uint16_t old : st.versions) {
      std::vector<uint16_t> ecdhe = SuitesWhere(st.Picked(old),
                                                [](const tls::SuiteInfo& s) { return s.kx == tls::Kx::kEcdhe; });
      if (old < 0x0304 && !ecdhe.empty()) {
        v = old;
        suites = ecdhe;
      }
    }
  }
  if (v == 0) return;
  e.groups_version = tls::TlsVersionName(v);
  for (const tls::GroupInfo& g : tls::Groups()) {
    if (v < 0x0304 && !g.ecdhe_tls12) continue;
    ClientHelloSpec s = Hello(v, suites);
    s.groups = {g.code};
    groups[g.code] = false;
    auto judge = [&groups, v, code = g.code](const ServerFlight& f) {
      groups[code] = groups[code] || (Accepted(f, v) && f.group == code);
    };
    runner.Add(s, judge);
    if (v < 0x0304 && st.certificate_curve != 0 && st.certificate_curve != g.code) {
      s.groups.push_back(st.certificate_curve);
      runner.Add(s, judge);
    }
  }
}

// SignsWith says whether a suite authenticated by `auth` can be signed
// with `scheme` (by its IANA name: rsa_*, ecdsa_*, ed25519 and ed448
// (ECDSA suites), dsa_*).
bool SignsWith(tls::Auth auth, absl::string_view scheme) {
  if (absl::StartsWith(scheme, "rsa_")) return auth == tls::Auth::kRsa;
  if (absl::StartsWith(scheme, "dsa_")) return auth == tls::Auth::kDss;
  return auth == tls::Auth::kEcdsa;
}

// AddSchemeProbes tries each signature scheme alone with TLS 1.2's signed
// (EC)DHE suites: the ServerKeyExchange says which scheme signed it. A
// scheme for a key no accepted suite signs with (ECDSA's for an RSA-only
// server) cannot be picked, and is false without a probe.
void AddSchemeProbes(HelloRunner& runner, const State& st, std::map<uint16_t, bool>& schemes) {
  std::vector<uint16_t> signed_suites = SuitesWhere(st.Picked(0x0303), [](const tls::SuiteInfo& s) {
    return (s.kx == tls::Kx::kEcdhe || s.kx == tls::Kx::kDhe) && s.auth != tls::Auth::kNone;
  });
  if (signed_suites.empty()) return;
  for (const tls::SignatureSchemeInfo& scheme : tls::SignatureSchemes()) {
    schemes[scheme.code] = false;
    bool usable = false;
    for (uint16_t code : signed_suites) usable = usable || SignsWith(tls::FindSuite(code)->auth, scheme.iana);
    if (!usable) continue;
    ClientHelloSpec s = Hello(0x0303, signed_suites);
    s.signature_schemes = {scheme.code};
    runner.Add(s, [&schemes, code = scheme.code](const ServerFlight& f) {
      schemes[code] = Accepted(f, 0x0303) && f.signature_scheme == code;
    });
  }
}

// AddLegacyProbes measures, at the newest version below TLS 1.3: DHE (and
// DHE_PSK) prime sizes, renegotiation_info, tickets and heartbeat, DEFLATE, and whether a
// fallback to the version below is refused.
void AddLegacyProbes(HelloRunner& runner, const State& st, Enumeration& e, std::set<int>& dh) {
  uint16_t v = 0;
  for (uint16_t old : st.versions) {
    if (old < 0x0304 && !st.Picked(old).empty()) v = old;
  }
  if (v == 0) return;
  const std::vector<uint16_t>& suites = st.Picked(v);
  // DHE_PSK's ServerKeyExchange carries a prime too (after the PSK hint).
  auto dhe_kx = [](const tls::SuiteInfo& s) { return s.kx == tls::Kx::kDhe || s.kx == tls::Kx::kDhePsk; };
  for (uint16_t dhe : SuitesWhere(suites, dhe_kx)) {
    runner.Add(Hello(v, {dhe}), [&dh](const ServerFlight& f) {
      if (f.dh_bits > 0) dh.insert(f.dh_bits);
    });
  }
  ClientHelloSpec ext = Hello(v, suites);
  ext.session_ticket = true;
  ext.heartbeat = true;
  runner.Add(ext, [&e, v](const ServerFlight& f) {
    if (!Accepted(f, v)) return;
    e.secure_renegotiation = f.secure_renegotiation;
    e.session_ticket = f.session_ticket;
    e.heartbeat = f.heartbeat;
  });
  ClientHelloSpec deflate = Hello(v, suites);
  deflate.compression = {1, 0};
  runner.Add(deflate, [&e, v](const ServerFlight& f) {
    if (Accepted(f, v)) e.compression = f.compression == 1;
  });
  if (st.versions.size() < 2) return;
  uint16_t below = st.versions[st.versions.size() - 2];
  ClientHelloSpec fallback = Hello(below, st.Picked(below).empty() ? tls::SuitesFor(below) : st.Picked(below));
  fallback.fallback_scsv = true;
  runner.Add(fallback, [&e, below](const ServerFlight& f) {
    if (f.kind == ServerFlight::kAlert && tls::AlertName(f.alert) == "inappropriate_fallback") e.fallback_scsv = true;
    if (Accepted(f, below)) e.fallback_scsv = false;
  });
}

// Name fills `e`'s named lists from `st` and the maps of round 3.
void Name(const State& st, const std::map<uint16_t, bool>& groups, const std::map<uint16_t, bool>& schemes,
          const std::set<int>& dh, Enumeration& e) {
  for (uint16_t v : kVersions) {
    e.versions.push_back({tls::TlsVersionName(v), std::count(st.versions.begin(), st.versions.end(), v) > 0});
  }
  for (uint16_t v : st.versions) {
    std::vector<std::string> names;
    for (uint16_t code : st.Picked(v)) names.push_back(tls::SuiteName(code));
    e.ciphers.push_back({tls::TlsVersionName(v), names});
    if (st.server_order.count(v)) e.server_order = st.server_order.at(v);
    if (st.server_order.count(v) && v < 0x0304) e.server_order_below_13 = st.server_order.at(v);
  }
  if (!st.Picked(0x0304).empty()) e.tls13_cipher = tls::SuiteName(st.Picked(0x0304)[0]);
  for (const auto& [code, ok] : groups) e.groups.push_back({tls::GroupName(code), ok});
  for (const auto& [code, ok] : schemes) e.signature_schemes.push_back({tls::SignatureSchemeName(code), ok});
  e.dh_bits.assign(dh.begin(), dh.end());
  e.leaf_der = st.leaf_der;
}

}  // namespace

absl::StatusOr<Enumeration> Enumerate(const net::SocketAddress& addr, const EnumerateOptions& o) {
  HelloRunner runner(addr, o);
  State st;
  if (absl::Status s = VersionsAndSuites(runner, st); !s.ok()) return s;
  if (st.versions.empty()) {
    return absl::AbortedError(absl::StrCat("no TLS version accepted (last: ", st.last_refusal, ")"));
  }
  Enumeration e;
  std::map<uint16_t, bool> groups, schemes;
  std::set<int> dh;
  AddGroupProbes(runner, st, e, groups);
  AddSchemeProbes(runner, st, schemes);
  AddLegacyProbes(runner, st, e, dh);
  if (absl::Status s = runner.Run(); !s.ok()) return s;
  Name(st, groups, schemes, dh, e);
  e.connections = runner.connections();
  e.unanswered = runner.unanswered();
  if (runner.stalls() > 0) {
    e.notes.push_back(absl::StrCat(runner.stalls(), " connects stalled (a full listen queue dropping them): made again "
                                   "at once, with at most ", runner.ceiling(),
                                   runner.ceiling() == 1 ? " connection" : " connections", " at a time"));
  }
  if (e.unanswered > 0) {
    e.notes.push_back(absl::StrCat(e.unanswered, " probes got no answer after ", HelloRunner::kRetries + 1,
                                   " tries each (connections reset or refused): what they would show is unknown"));
  }
  if (!runner.violations().empty()) {
    e.notes.push_back(absl::StrCat("answers that broke the protocol, not counted as acceptances: ",
                                   absl::StrJoin(runner.violations(), "; ")));
  }
  if (!runner.warnings().empty()) {
    std::vector<std::string> names;
    for (uint8_t w : runner.warnings()) names.push_back(tls::AlertName(w));
    e.notes.push_back(absl::StrCat("the server sent warning alerts, read as warnings, not refusals: ",
                                   absl::StrJoin(names, ", ")));
  }
  e.notes.push_back(absl::StrCat("suites from IANA's registry as lib/tls knows it (", tls::Suites().size(),
                                 "); signature schemes are measured at TLS 1.2 only (TLS 1.3 signs in "
                                 "encrypted messages)"));
  return e;
}

}  // namespace ipckit::tlsprobe
